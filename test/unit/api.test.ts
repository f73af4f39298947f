import { GreenApi as GreenApiCredential } from '../../credentials/GreenApi.credentials';
import { GREEN_API_CREDENTIAL, normalizeApiUrl, readCredentials, redact, withInstancePath } from '../../nodes/client/api';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829';

describe('normalizeApiUrl', () => {
	it.each([
		['https://1103.api.green-api.com', 'https://1103.api.green-api.com'],
		['  https://1103.api.green-api.com/  ', 'https://1103.api.green-api.com'],
		['7105.api.greenapi.com', 'https://7105.api.greenapi.com'],
		['http://127.0.0.1:3000//', 'http://127.0.0.1:3000'],
		['https://1103.api.green-api.com/waInstance1101000001/getStateInstance/xyz', 'https://1103.api.green-api.com'],
		['', 'https://api.green-api.com'],
		[undefined, 'https://api.green-api.com'],
	])('%p -> %p', (input, expected) => {
		expect(normalizeApiUrl(input)).toBe(expected);
	});
});

describe('withInstancePath', () => {
	const credentials = { apiUrl: 'api.green-api.com/', idInstance: ' 1101000001 ', apiTokenInstance: ` ${TOKEN} ` };

	it('puts the instance and the token around the method name', () => {
		const out = withInstancePath(credentials, { url: '/checkWhatsapp', method: 'POST' });
		expect(out.baseURL).toBe('https://api.green-api.com');
		expect(out.url).toBe(`/waInstance1101000001/checkWhatsapp/${TOKEN}`);
		expect(out.method).toBe('POST');
	});

	it('leaves a request that is already built as it is (n8n authenticates again after a 401)', () => {
		const once = withInstancePath(credentials, { url: '/getStateInstance' });
		expect(withInstancePath(credentials, once)).toBe(once);
		// Also when the token (hex) happens to end in letters, like a method name.
		const lettersLast = { ...credentials, apiTokenInstance: `${TOKEN.slice(0, -2)}fe` };
		const built = withInstancePath(lettersLast, { url: '/qr' });
		expect(withInstancePath(lettersLast, built)).toBe(built);
	});

	it('takes the method name with or without the leading slash', () => {
		expect(withInstancePath(credentials, { url: 'getStateInstance' }).url).toBe(`/waInstance1101000001/getStateInstance/${TOKEN}`);
	});

	it('does not change the caller\'s options object', () => {
		const options = { url: '/qr' };
		withInstancePath(credentials, options);
		expect(options).toEqual({ url: '/qr' });
	});

	it('refuses an Instance ID that is not digits', () => {
		expect(() => withInstancePath({ ...credentials, idInstance: 'abc' }, { url: '/qr' })).toThrow(/Instance ID.*1 to 10 digits.*3 characters \(letters\)/);
		expect(() => withInstancePath({ ...credentials, idInstance: '12345678901' }, { url: '/qr' })).toThrow(/Instance ID.*11 characters \(digits\)/);
		expect(() => readCredentials({ ...credentials, idInstance: '' })).toThrow(/Instance ID.*it is empty/);
	});

	it('refuses an empty or broken token with a message that does not echo it', () => {
		expect(() => readCredentials({ ...credentials, apiTokenInstance: '' })).toThrow(/API Token/);
		try {
			readCredentials({ ...credentials, apiTokenInstance: `${TOKEN}/x` });
			throw new Error('expected a throw');
		} catch (error) {
			expect((error as Error).message).toMatch(/API Token/);
			expect((error as Error).message).not.toContain(TOKEN);
		}
	});
});

describe('redact', () => {
	it('removes a known token anywhere', () => {
		expect(redact(`token ${TOKEN} here`, [TOKEN])).toBe('token *** here');
	});

	it('masks a known value only when it is long enough to be a token (short ones would garble the text)', () => {
		expect(redact('a bad idea', ['a', 'bad'])).toBe('a bad idea');
		expect(redact('a bad idea', ['idea'])).toBe('a bad ***');
		expect(redact('a bad idea', ['', undefined])).toBe('a bad idea');
	});

	it('removes the token segment of a GREEN-API URL even when the token is not known', () => {
		expect(redact(`GET http://h/waInstance1101000001/getStateInstance/${TOKEN} failed`)).toBe(
			'GET http://h/waInstance1101000001/getStateInstance/*** failed',
		);
	});
});

/** Every run of `min` characters of `secret` that occurs in `text`: a token must not show even in part. */
function partsOf(secret: string, text: string, min = 6): string[] {
	const found: string[] = [];
	for (let i = 0; i + min <= secret.length; i++) if (text.includes(secret.slice(i, i + min))) found.push(secret.slice(i, i + min));
	return found;
}

function messageOf(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		return (error as Error).message;
	}
	throw new Error('expected a throw');
}

describe('readCredentials: what a field holds is never echoed', () => {
	const good = { apiUrl: 'https://1103.api.green-api.com', idInstance: '1101000001', apiTokenInstance: TOKEN };

	it('the token pasted into the Instance ID field: its length and kind, and the likely swap, but none of it', () => {
		const message = messageOf(() => readCredentials({ ...good, idInstance: TOKEN }));
		expect(message).toMatch(/Instance ID.*1 to 10 digits.*50 characters \(digits, letters\).*API Token in this field/);
		expect(partsOf(TOKEN, message)).toEqual([]);
	});

	it('the token pasted into the API URL field: refused before any request, none of it shown', () => {
		for (const apiUrl of [TOKEN, `https://${TOKEN}`, `${TOKEN}/`]) {
			const message = messageOf(() => readCredentials({ ...good, apiUrl }));
			expect(message).toMatch(/API URL.*not a host name: it holds 50 characters/);
			expect(partsOf(TOKEN, message)).toEqual([]);
		}
	});

	it('accepts an Instance ID pasted with spaces, and short hosts without a dot (a local server)', () => {
		expect(readCredentials({ ...good, idInstance: ' 1101 000001 ' }).idInstance).toBe('1101000001');
		expect(readCredentials({ ...good, idInstance: '1101\u00a0000\t001' }).idInstance).toBe('1101000001');
		expect(readCredentials({ ...good, apiUrl: 'http://sandbox:3000' }).apiUrl).toBe('http://sandbox:3000');
		expect(readCredentials({ ...good, apiUrl: 'http://[::1]:3000' }).apiUrl).toBe('http://[::1]:3000');
	});
});

describe('withInstancePath for addresses typed in n8n\'s HTTP Request node (Custom API Call)', () => {
	const credentials = { apiUrl: 'https://1103.api.green-api.com', idInstance: '1101000001', apiTokenInstance: TOKEN };
	const built = (method: string, more = '') => `https://1103.api.green-api.com/waInstance1101000001/${method}/${TOKEN}${more}`;
	// The HTTP Request node (v4) sends legacy options: the address in `uri`, no baseURL.
	const legacy = (uri: string) => ({ uri, method: 'GET' }) as unknown as Parameters<typeof withInstancePath>[1];
	const uriOf = (options: unknown) => (options as { uri?: string }).uri;

	it.each([
		['https://1103.api.green-api.com/sendMessage', built('sendMessage')],
		['https://1103.api.green-api.com/getSettings/', built('getSettings')],
		['https://1103.api.green-api.com/waInstance1101000001/getSettings', built('getSettings')],
		['https://1103.api.green-api.com/waInstance1101000001/getSettings/', built('getSettings')],
		['https://1103.api.green-api.com/waInstance1101000001/getSettings/{{apiTokenInstance}}', built('getSettings')],
		['https://1103.api.green-api.com/waInstance/getSettings', built('getSettings')],
		['https://1103.API.green-api.com:443/getSettings', built('getSettings')],
		['https://1103.api.green-api.com/receiveNotification?receiveTimeout=5', built('receiveNotification', '?receiveTimeout=5')],
		['https://1103.api.green-api.com/deleteNotification/12345', built('deleteNotification', '/12345')],
		['https://1103.api.green-api.com/waInstance1101000001/deleteNotification/x/12345', built('deleteNotification', '/12345')],
	])('%s -> the method with the instance and the token', (typed, expected) => {
		const input = legacy(typed);
		const out = withInstancePath(credentials, input);
		expect(uriOf(out)).toBe(expected);
		expect(out.url).toBeUndefined();
		expect(out.method).toBe('GET');
		// n8n shows the node's own options in the editor: they stay as typed
		expect(uriOf(input)).toBe(typed);
		// n8n may call authenticate again with its own output: nothing changes
		expect(withInstancePath(credentials, out)).toBe(out);
	});

	it('an absolute address in `url` (httpRequest helpers) is built the same way', () => {
		const out = withInstancePath(credentials, { url: 'https://1103.api.green-api.com/getSettings' });
		expect(out.url).toBe(built('getSettings'));
	});

	it.each([
		['another host', 'https://evil.example/sendMessage'],
		['a host that only starts like it', 'https://1103.api.green-api.com.evil.example/sendMessage'],
		['another GREEN-API host', 'https://api.green-api.com/sendMessage'],
		['http instead of https', 'http://1103.api.green-api.com/sendMessage'],
		['another port', 'https://1103.api.green-api.com:8443/sendMessage'],
		['no method named', 'https://1103.api.green-api.com/'],
	])('%s: sent as it is, without the token (%s)', (_what, typed) => {
		const input = legacy(typed);
		const out = withInstancePath(credentials, input);
		expect(out).toBe(input);
		expect(JSON.stringify(out)).not.toContain(TOKEN);
	});

	it('a relative address on another base URL is left alone', () => {
		const input = { url: '/sendMessage', baseURL: 'https://evil.example' };
		expect(withInstancePath(credentials, input)).toBe(input);
	});

	it('an API URL with a path (MAX instances end in /v3) takes addresses below it only', () => {
		const v3 = { ...credentials, apiUrl: 'https://3100.api.green-api.com/v3' };
		expect(uriOf(withInstancePath(v3, legacy('https://3100.api.green-api.com/v3/getSettings')))).toBe(
			`https://3100.api.green-api.com/v3/waInstance1101000001/getSettings/${TOKEN}`,
		);
		const outside = legacy('https://3100.api.green-api.com/getSettings');
		expect(withInstancePath(v3, outside)).toBe(outside);
		const relative = withInstancePath(v3, { url: '/getStateInstance' });
		expect([relative.baseURL, relative.url]).toEqual(['https://3100.api.green-api.com/v3', `/waInstance1101000001/getStateInstance/${TOKEN}`]);
	});

	it('an address naming another instance fails, naming neither ID nor the token', () => {
		const message = messageOf(() => withInstancePath(credentials, legacy('https://1103.api.green-api.com/waInstance1101000002/getSettings')));
		expect(message).toMatch(/another instance/);
		expect(message).not.toContain(TOKEN);
		expect(message).not.toContain('1101000001');
	});
});

describe('readCredentials: what a wrong field is said to hold', () => {
	const good = { apiUrl: 'https://1103.api.green-api.com', idInstance: '1101000001', apiTokenInstance: TOKEN };
	const idMessage = (idInstance: string | undefined) =>
		messageOf(() => readCredentials(idInstance === undefined ? { apiUrl: good.apiUrl, apiTokenInstance: TOKEN } : { ...good, idInstance }));

	it.each<[string | undefined, string]>([
		[undefined, 'it is empty'],
		['x', 'it holds 1 character (letters)'],
		['1101-000001', 'it holds 11 characters (digits, other characters): is the API Token in this field?'],
		// Long, but digits only: a wrong ID, not the token.
		['12345678901', 'it holds 11 characters (digits)'],
		// Not longer than an ID can be: not taken for the token.
		['x123456789', 'it holds 10 characters (digits, letters)'],
	])('Instance ID %p: %s', (idInstance, said) => {
		expect(idMessage(idInstance)).toMatch(new RegExp(`must be 1 to 10 digits \\(idInstance from the console\\), but ${said.replace(/[()?]/g, '\\$&')}$`));
	});

	it('accepts a long IPv6 address as the host, and refuses an API URL without a host or with a broken one', () => {
		expect(readCredentials({ ...good, apiUrl: 'http://[2001:db8:85a3::8a2e:370:7334]:3000' }).apiUrl).toBe('http://[2001:db8:85a3::8a2e:370:7334]:3000');
		expect(() => readCredentials({ ...good, apiUrl: 'file:///etc/hosts' })).toThrow(/API URL.*not a host name/);
		expect(() => readCredentials({ ...good, apiUrl: 'https://my host.example' })).toThrow(/API URL.*not a host name/);
	});
});

describe('withInstancePath: which requests get the instance and the token', () => {
	const credentials = { apiUrl: 'https://1103.api.green-api.com', idInstance: '1101000001', apiTokenInstance: TOKEN };
	const path = (method: string, more = '') => `/waInstance1101000001/${method}/${TOKEN}${more}`;

	it('a request without an address is left as it is', () => {
		const options = { method: 'GET' } as Parameters<typeof withInstancePath>[1];
		expect(withInstancePath(credentials, options)).toBe(options);
	});

	it('a path with extra slashes, or based on the API URL, is built; a built one gets its base', () => {
		expect(withInstancePath(credentials, { url: '//getSettings' })).toMatchObject({ baseURL: credentials.apiUrl, url: path('getSettings') });
		expect(withInstancePath(credentials, { baseURL: credentials.apiUrl, url: '/getSettings' })).toMatchObject({ baseURL: credentials.apiUrl, url: path('getSettings') });
		expect(withInstancePath(credentials, { url: path('getSettings') })).toMatchObject({ baseURL: credentials.apiUrl, url: path('getSettings') });
	});

	it('below an API URL with a path (MAX instances end in /v3): based requests are built there, others get nothing', () => {
		const max = { ...credentials, apiUrl: 'https://1103.api.green-api.com/v3' };
		expect(withInstancePath(max, { baseURL: 'https://1103.api.green-api.com/v3//', url: '//getSettings' })).toMatchObject({
			baseURL: max.apiUrl,
			url: path('getSettings'),
		});
		const outside = { url: 'https://1103.api.green-api.com/getSettings' };
		expect(withInstancePath(max, outside)).toBe(outside);
		const lookalike = { url: 'https://1103.api.green-api.com/v3x/getSettings' };
		expect(withInstancePath(max, lookalike)).toBe(lookalike);
	});

	it('an address that names no method (a file, say) gets nothing; a query is kept as it was', () => {
		const file = { url: 'https://1103.api.green-api.com/favicon.ico' };
		expect(withInstancePath(credentials, file)).toBe(file);
		expect(withInstancePath(credentials, { url: 'https://1103.api.green-api.com/receiveNotification?a=1?b=2' }).url).toBe(
			`https://1103.api.green-api.com${path('receiveNotification')}?a=1?b=2`,
		);
	});
});

describe('the credential', () => {
	it('is the one the package ships', () => {
		expect(new GreenApiCredential().name).toBe(GREEN_API_CREDENTIAL);
	});
});
