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

	it('refuses an Instance ID that is not digits, without showing the token', () => {
		expect(() => withInstancePath({ ...credentials, idInstance: 'abc' }, { url: '/qr' })).toThrow(/Instance ID.*1 to 10 digits.*"abc"/);
		expect(() => withInstancePath({ ...credentials, idInstance: '12345678901' }, { url: '/qr' })).toThrow(/Instance ID/);
	});

	it('says so when the Instance ID is missing', () => {
		expect(() => readCredentials({ apiUrl: credentials.apiUrl, apiTokenInstance: credentials.apiTokenInstance })).toThrow(/1 to 10 digits \(idInstance from the console\), got ""$/);
	});

	it('shows at most 40 characters of a wrong Instance ID (the token pasted into it, say)', () => {
		expect(() => readCredentials({ ...credentials, idInstance: TOKEN })).toThrow(`got "${TOKEN.slice(0, 40)}"`);
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

describe('the credential', () => {
	it('is the one the package ships', () => {
		expect(new GreenApiCredential().name).toBe(GREEN_API_CREDENTIAL);
	});
});
