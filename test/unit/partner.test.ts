import {
	instanceApiUrl,
	isLive,
	normalizePartnerApiUrl,
	readPartnerAnswer,
	readPartnerCredentials,
	redactPartner,
	withPartnerPath,
} from '../../nodes/client/partner';

const TOKEN = 'p4rtn3r70k3n0123456789abcdef0123456789';

describe('normalizePartnerApiUrl', () => {
	it.each([
		['https://api.green-api.com', 'https://api.green-api.com'],
		['  api.green-api.com/ ', 'https://api.green-api.com'],
		[`https://api.green-api.com/partner/getInstances/${TOKEN}`, 'https://api.green-api.com'],
		['https://api.green-api.com/partner/', 'https://api.green-api.com'],
		['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
		['', 'https://api.green-api.com'],
	])('%p -> %p', (input, expected) => {
		expect(normalizePartnerApiUrl(input)).toBe(expected);
	});
});

describe('readPartnerCredentials and instanceApiUrl', () => {
	it('defaults: every instance lives at the partner API URL', () => {
		const creds = readPartnerCredentials({ partnerApiUrl: 'api.green-api.com', partnerToken: ` ${TOKEN} ` });
		expect(creds).toEqual({ partnerApiUrl: 'https://api.green-api.com', partnerToken: TOKEN, instanceApiUrl: 'https://api.green-api.com', exceptions: [] });
		expect(instanceApiUrl(creds, '7103000001')).toBe('https://api.green-api.com');
	});

	it('a template with {prefix} and {idInstance}; exceptions by ID or first digits, longest first', () => {
		const creds = readPartnerCredentials({
			partnerApiUrl: 'https://api.green-api.com',
			partnerToken: TOKEN,
			instanceApiUrl: 'https://{prefix}.api.greenapi.com/',
			instanceApiUrls: '# MAX instances and odd hosts\n71 https://7103.api.greenapi.com\n\n7100000005 https://api.p02.green-api.com/v3\r\n3305 api.p02.green-api.com/waInstance3305000001/getStateInstance/x',
		});
		expect(instanceApiUrl(creds, '1101000001')).toBe('https://1101.api.greenapi.com');
		expect(instanceApiUrl(creds, '7105000001')).toBe('https://7103.api.greenapi.com');
		expect(instanceApiUrl(creds, '7100000005')).toBe('https://api.p02.green-api.com/v3');
		expect(instanceApiUrl(creds, '3305000009')).toBe('https://api.p02.green-api.com');
		const whole = readPartnerCredentials({ partnerToken: TOKEN, instanceApiUrl: 'https://h.example/{idInstance}' });
		expect(instanceApiUrl(whole, '42')).toBe('https://h.example/42');
	});

	it.each([
		[{ partnerToken: '' }, /Partner Token .* empty/],
		[{ partnerToken: 'a b' }, /Partner Token/],
		[{ partnerToken: TOKEN, partnerApiUrl: 'ftp://x' }, /Partner API URL .* https:\/\//],
		[{ partnerToken: TOKEN, instanceApiUrl: 'https://{first4}.api.greenapi.com' }, /unknown placeholder \{first4\}/],
		[{ partnerToken: TOKEN, instanceApiUrls: '7103' }, /Line 1 of Instance API URL Exceptions/],
		[{ partnerToken: TOKEN, instanceApiUrls: '\nabc https://x' }, /Line 2/],
		[{ partnerToken: TOKEN, instanceApiUrls: '7103 http://' }, /line 1 of Instance API URL Exceptions .*not a URL/],
	])('%p is refused with a clear message', (data, message) => {
		expect(() => readPartnerCredentials(data)).toThrow(message);
		try {
			readPartnerCredentials(data);
		} catch (error) {
			expect((error as Error).message).not.toContain(TOKEN);
		}
	});
});

describe('withPartnerPath', () => {
	const data = { partnerApiUrl: 'https://api.green-api.com/', partnerToken: TOKEN };

	it('puts the token after the method name', () => {
		const out = withPartnerPath(data, { url: '/partner/getInstances', method: 'GET' });
		expect(out).toEqual({ url: `/partner/getInstances/${TOKEN}`, baseURL: 'https://api.green-api.com', method: 'GET' });
	});

	it('leaves a built request, and instance requests, as they are', () => {
		const once = withPartnerPath(data, { url: '/partner/createInstance' });
		expect(withPartnerPath(data, once)).toBe(once);
		const instanceRequest = { url: 'https://h/waInstance1/getStateInstance/x' };
		expect(withPartnerPath(data, instanceRequest)).toBe(instanceRequest);
	});
});

describe('readPartnerAnswer', () => {
	it('a code in an HTTP 200 body is a failure with that status', () => {
		expect(readPartnerAnswer({ statusCode: 200, body: { code: 401, description: 'Unauthorized' } })).toEqual({
			ok: false,
			failure: { kind: 'status', status: 401, text: 'Unauthorized', bodyCoded: true },
		});
		expect(readPartnerAnswer({ statusCode: 200, body: '{"code": 404, "description": "Not found"}' })).toMatchObject({ ok: false, failure: { status: 404 } });
	});

	it('an HTTP error status is a failure; good answers pass (a code below 400 is not an error)', () => {
		expect(readPartnerAnswer({ statusCode: 400, body: { code: 400, description: 'bad' } })).toMatchObject({ ok: false, failure: { kind: 'status', status: 400 } });
		expect(readPartnerAnswer({ statusCode: 200, body: [{ idInstance: 1 }] })).toEqual({ ok: true, value: [{ idInstance: 1 }] });
		expect(readPartnerAnswer({ statusCode: 200, body: { idInstance: 1, code: 200 } })).toMatchObject({ ok: true });
		expect(readPartnerAnswer({ statusCode: 200, body: '' })).toMatchObject({ ok: false, failure: { kind: 'empty' } });
	});
});

describe('isLive and redactPartner', () => {
	it('deleted and expired instances are not live', () => {
		expect([{ idInstance: 1 }, { idInstance: 2, deleted: true }, { idInstance: 3, isExpired: true }, { idInstance: 4, deleted: false, isExpired: false }].map(isLive)).toEqual([true, false, false, true]);
	});

	it('takes tokens out of partner URLs and by value', () => {
		expect(redactPartner(`GET https://h/partner/getInstances/${TOKEN} failed`)).toBe('GET https://h/partner/getInstances/*** failed');
		expect(redactPartner(`token ${TOKEN}`, [TOKEN])).toBe('token ***');
	});
});
