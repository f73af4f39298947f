import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { failureOfHttpError, failureOf, GreenApiError, howItPasses, localItemError, readAnswer } from '../../nodes/client/errors';
import type { ErrorContext, FailureInfo } from '../../nodes/client/errors';

const node: INode = {
	id: '1',
	name: 'GREEN-API',
	type: 'n8n-nodes-green-api.greenApi',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function failure(answer: Parameters<typeof readAnswer>[0]) {
	const result = readAnswer(answer);
	if (result.ok) throw new Error('expected a failure');
	return result.failure;
}

describe('readAnswer', () => {
	it('returns the JSON of a good answer, parsed from text if needed', () => {
		expect(readAnswer({ statusCode: 200, body: { stateInstance: 'authorized' } })).toEqual({ ok: true, value: { stateInstance: 'authorized' } });
		expect(readAnswer({ statusCode: 200, body: '{"existsWhatsapp":false}' })).toEqual({ ok: true, value: { existsWhatsapp: false } });
	});

	it.each([
		[{ statusCode: 200, body: null }, 'empty'],
		[{ statusCode: 200, body: 'null' }, 'empty'],
		[{ statusCode: 200, body: '' }, 'empty'],
		[{ statusCode: 200, body: undefined }, 'empty'],
		[{ statusCode: 200, body: '<html><title>Login</title></html>' }, 'notJson'],
	])('%p is a %s failure', (answer, kind) => {
		expect(failure(answer).kind).toBe(kind);
	});

	it('reads GREEN-API\'s text from JSON and from plain-text bodies', () => {
		expect(failure({ statusCode: 400, body: { message: 'bad phone number, valid from 11 to 16 digits' } }).text).toBe(
			'bad phone number, valid from 11 to 16 digits',
		);
		expect(failure({ statusCode: 400, body: 'instance in starting process try later' }).text).toBe(
			'instance in starting process try later',
		);
	});

	it('keeps only the title of an HTML error page', () => {
		const info = failure({
			statusCode: 502,
			body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
		});
		expect(info).toMatchObject({ kind: 'status', status: 502, text: '502 Bad Gateway' });
		expect(howItPasses(info)).toBe('soon');
	});

	it('reads the 466 quota details', () => {
		const info = failure({
			statusCode: 466,
			body: { invokeStatus: { method: 'checkwhatsapp', used: 100, total: 100, status: 'QUOTE_EXCEEDED', description: 'Monthly quota has been exceeded.' } },
		});
		expect(info.quota).toEqual({ used: 100, total: 100, description: 'Monthly quota has been exceeded.' });
		expect(howItPasses(info)).toBe('never');
	});

	it('honours Retry-After in seconds', () => {
		expect(failure({ statusCode: 429, body: 'Too Many Requests', headers: { 'retry-after': '2' } }).retryAfterMs).toBe(2000);
		expect(failure({ statusCode: 429, body: '', headers: { 'retry-after': '-3' } }).retryAfterMs).toBe(0);
		expect(failure({ statusCode: 429, body: '' }).retryAfterMs).toBeUndefined();
	});

	it('honours Retry-After as an HTTP date (RFC 9110): the time until then, never less than 0', () => {
		const now = Date.parse('2026-11-23T10:00:00.000Z');
		jest.spyOn(Date, 'now').mockReturnValue(now);
		try {
			expect(failure({ statusCode: 503, body: '', headers: { 'retry-after': 'Mon, 23 Nov 2026 10:00:05 GMT' } }).retryAfterMs).toBe(5000);
			expect(failure({ statusCode: 503, body: '', headers: { 'retry-after': 'Mon, 23 Nov 2026 09:59:00 GMT' } }).retryAfterMs).toBe(0);
			expect(failure({ statusCode: 503, body: '', headers: { 'retry-after': 'soon' } }).retryAfterMs).toBeUndefined();
		} finally {
			jest.restoreAllMocks();
		}
	});

	it('an error status with an empty body carries no text', () => {
		expect(failure({ statusCode: 502, body: '' })).toEqual({ kind: 'status', status: 502, text: undefined, retryAfterMs: undefined });
	});

	it('a good answer is a 2xx only', () => {
		expect(readAnswer({ statusCode: 299, body: '{"a":1}' })).toEqual({ ok: true, value: { a: 1 } });
		// e.g. http:// to a host that redirects to https://, when the redirect is not followed
		expect(failure({ statusCode: 300, body: '{"a":1}' })).toMatchObject({ kind: 'status', status: 300 });
	});

	it('reads a body that arrives as bytes, and counts a blank one as empty', () => {
		expect(readAnswer({ statusCode: 200, body: Buffer.from('{"stateInstance":"authorized"}') })).toEqual({ ok: true, value: { stateInstance: 'authorized' } });
		expect(failure({ statusCode: 200, body: ' \n ' }).kind).toBe('empty');
	});

	it.each<[string, unknown, string]>([
		['message', { message: 'Instance is deleted' }, 'Instance is deleted'],
		['error', { error: 'bad request data' }, 'bad request data'],
		// The partner API's shape.
		['description', { code: 401, description: 'Unauthorized' }, 'Unauthorized'],
		['reason', { reason: 'Bad Request Validation failed' }, 'Bad Request Validation failed'],
		['the first key that is not empty', { message: '', error: 'bad request data' }, 'bad request data'],
		['the JSON of any other object', { code: 7 }, '{"code":7}'],
		['a JSON string, without its quotes', '"bad request data"', 'bad request data'],
		['a JSON number', '404', '404'],
	])("takes GREEN-API's words from %s", (_name, body, text) => {
		expect(failure({ statusCode: 400, body }).text).toBe(text);
	});

	it('keeps the text of an HTML page without a title, tags and runs of spaces as one space', () => {
		expect(failure({ statusCode: 500, body: '<html><body><p>Internal</p><p>Server   Error</p>\n</body></html>' }).text).toBe('Internal Server Error');
		expect(failure({ statusCode: 502, body: '<title> Bad Gateway </title>' }).text).toBe('Bad Gateway');
	});

	it('shortens a text over 200 characters to 197 and "..."', () => {
		expect(failure({ statusCode: 500, body: 'x'.repeat(200) }).text).toBe('x'.repeat(200));
		expect(failure({ statusCode: 500, body: 'x'.repeat(201) }).text).toBe(`${'x'.repeat(197)}...`);
	});

	it('reads the quota details only from an invokeStatus object, and only a text description', () => {
		expect(failure({ statusCode: 466, body: { invokeStatus: 'QUOTE_EXCEEDED' } }).quota).toBeUndefined();
		expect(failure({ statusCode: 466, body: { invokeStatus: { used: 3, total: 3, description: 7 } } }).quota).toEqual({ used: 3, total: 3, description: undefined });
	});
});

describe('howItPasses', () => {
	it.each<[string, FailureInfo, string]>([
		// GREEN-API: 429 over the rate limit, 499 the client gave up, 502 repeat up to 3 times.
		['429', { kind: 'status', status: 429 }, 'soon'],
		['499', { kind: 'status', status: 499 }, 'soon'],
		['502', { kind: 'status', status: 502 }, 'soon'],
		['503', { kind: 'status', status: 503 }, 'soon'],
		['504', { kind: 'status', status: 504 }, 'soon'],
		['a dropped connection', { kind: 'dropped' }, 'soon'],
		['500', { kind: 'status', status: 500 }, 'later'],
		['507', { kind: 'status', status: 507 }, 'later'],
		['the node\'s timeout', { kind: 'timeout' }, 'later'],
		['a refused connection', { kind: 'refused' }, 'later'],
		['an unknown host', { kind: 'dns' }, 'later'],
		['another network error', { kind: 'network' }, 'later'],
		['an empty answer (an instance still being created)', { kind: 'empty', status: 200 }, 'later'],
		['400', { kind: 'status', status: 400 }, 'never'],
		['401', { kind: 'status', status: 401 }, 'never'],
		['403', { kind: 'status', status: 403 }, 'never'],
		['404', { kind: 'status', status: 404 }, 'never'],
		['466', { kind: 'status', status: 466 }, 'never'],
		['an unknown 4xx', { kind: 'status', status: 418 }, 'never'],
		['a status failure without a status', { kind: 'status' }, 'never'],
		['an answer that is not JSON', { kind: 'notJson', status: 200 }, 'never'],
	])('%s: %s', (_name, info, passes) => {
		expect(howItPasses(info)).toBe(passes);
	});
});

describe('failureOfHttpError', () => {
	it.each<[unknown, string]>([
		[{ code: 'ECONNREFUSED' }, 'refused'],
		[{ message: 'wrapped', cause: { code: 'ECONNABORTED' } }, 'timeout'],
		[{ message: 'timeout of 1000ms exceeded' }, 'timeout'],
		[{ message: 'socket hang up' }, 'dropped'],
		[{ cause: { code: 'ENOTFOUND' } }, 'dns'],
		[new Error('something else'), 'network'],
		// https:// to a server that speaks http: not a code the package knows.
		[{ code: 'EPROTO' }, 'network'],
		// Node's and undici's codes for a connection that broke or timed out before an answer.
		...['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].map((code): [unknown, string] => [{ code }, 'dropped']),
		[{ message: 'connect ETIMEDOUT: timed out' }, 'dropped'],
		[{ error: { code: 'EAI_AGAIN' } }, 'dns'],
		[undefined, 'network'],
		[null, 'network'],
		['a string', 'network'],
	])('%p is %s', (error, kind) => {
		expect(failureOfHttpError(error).kind).toBe(kind);
	});

	it('falls back to the HTTP status an error carries (n8n throws some statuses)', () => {
		expect(failureOfHttpError({ message: 'Request failed with status code 503', response: { status: 503 } })).toEqual({ kind: 'status', status: 503 });
		expect(failureOfHttpError({ message: 'wrapped', cause: { response: { status: 401 } } })).toEqual({ kind: 'status', status: 401 });
		expect(failureOfHttpError({ response: { status: '503' } })).toEqual({ kind: 'network', text: undefined });
	});

	it('names the error class of anything else, and nothing of its message (it can hold the URL, and the token)', () => {
		expect(failureOfHttpError(new TypeError('GET https://h/waInstance1/qr/TOKEN failed'))).toEqual({ kind: 'network', text: 'TypeError' });
	});

	it('stops at an error that is its own cause', () => {
		const loop: Record<string, unknown> = { message: 'loop' };
		loop.cause = loop;
		expect(failureOfHttpError(loop)).toEqual({ kind: 'network', text: undefined });
	});
});

describe('GreenApiError', () => {
	it.each([
		[{ kind: 'status', status: 401 } as const, /refused the API token/, /API Token/],
		[{ kind: 'status', status: 403 } as const, /refused access to this instance/, /Instance ID and the API URL/],
		[{ kind: 'status', status: 404 } as const, /does not offer checkWhatsapp/, /API URL/],
		[{ kind: 'status', status: 429 } as const, /Too many requests/, /Max Requests Per Second/],
		[{ kind: 'status', status: 466, quota: { used: 100, total: 100, description: 'Monthly quota has been exceeded.' } } as const, /quota for checkWhatsapp is used up \(100 of 100 used\)/, /Monthly quota has been exceeded\. Upgrade/],
		[{ kind: 'status', status: 499 } as const, /closed the request/, /Timeout/],
		[{ kind: 'status', status: 500, text: 'boom' } as const, /server error \(500\): boom/, /try again/],
		// Also what a yellowCard instance answers: the advice says how to tell, not "scan a QR code".
		[{ kind: 'status', status: 400, text: 'instance account not authorized' } as const, /rejected the request: instance account not authorized/, /yellowCard.*Get State: notAuthorized -> link.*yellowCard -> do not re-link: reboot/],
		[{ kind: 'timeout' } as const, /did not answer within 5 s/, /Timeout/],
		[{ kind: 'refused' } as const, /Could not connect to GREEN-API at 127.0.0.1:9/, /API URL/],
		[{ kind: 'notJson', status: 200, text: 'Login' } as const, /not JSON: "Login"/, /API URL/],
	])('%p', (info, message, description) => {
		const error = new GreenApiError(node, info, { method: 'checkWhatsapp', itemIndex: 3, host: '127.0.0.1:9', timeoutMs: 5000 });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(message);
		expect(error.message).toMatch(/\[item 3\]$/);
		expect(error.description).toMatch(description);
		// The error carries its classification itself; n8n stores it without it, as before.
		expect(failureOf(error)).toEqual(info);
		expect(Object.keys(error)).not.toContain('greenApiFailure');
	});

	it.each<[string, string, RegExp]>([
		// GREEN-API's documented 400 texts, each with the advice for it.
		['instance in starting process try later', 'checkWhatsapp', /starting: wait a few minutes.*longer than 5 minutes, reboot/],
		['Instance account is expired', 'getStateInstance', /expired: renew it in the GREEN-API console/],
		['Instance is deleted', 'getStateInstance', /deleted: create a new one and update the credential/],
		['bad phone number, valid from 11 to 16 digits', 'checkWhatsapp', /Check the phone number: international format, 11 to 16 digits/],
		["Wrong format. 'phoneNumber' must contain only digits", 'checkWhatsapp', /Check the phone number/],
		['check phone number timeout limit exceeded', 'checkWhatsapp', /limits how often numbers can be checked: wait and try again later/],
		['bad request data', 'unban', /Check the values sent in this item against the GREEN-API documentation/],
		['instance account already authorized', 'qr', /already linked to a phone: this method is only for an unlinked one/],
	])('400 "%s" (%s): the advice for it', (text, method, description) => {
		const error = new GreenApiError(node, { kind: 'status', status: 400, text }, { method });
		expect(error.message).toBe(`GREEN-API rejected the request: ${text}`);
		expect(error.description).toMatch(description);
	});

	it('400 "already authorized" for Get Link Code: log out first, unless the instance is in yellowCard', () => {
		const error = new GreenApiError(node, { kind: 'status', status: 400, text: 'instance account already authorized' }, { method: 'getAuthorizationCode' });
		expect(error.message).toBe('The instance is already linked to a phone: GREEN-API gives a link code only to an unlinked instance: instance account already authorized');
		expect(error.description).toMatch(/run Logout first, then Get Link Code again.*yellowCard, do not log out/);
	});

	it.each<[string, FailureInfo, Partial<ErrorContext>, string, RegExp]>([
		['an unknown 4xx', { kind: 'status', status: 418, text: "I'm a teapot" }, {}, "GREEN-API answered with HTTP 418: I'm a teapot", /See the GREEN-API documentation for this method/],
		['a 466 with a text only', { kind: 'status', status: 466, text: 'Quota exceeded' }, {}, 'The monthly GREEN-API quota for checkWhatsapp is used up', /^Quota exceeded Upgrade the plan/],
		['a 466 without any words', { kind: 'status', status: 466, quota: {} }, {}, 'The monthly GREEN-API quota for checkWhatsapp is used up', /^Monthly quota has been exceeded\. Upgrade the plan/],
		['a 500 without a text', { kind: 'status', status: 500 }, {}, 'GREEN-API had a server error (500)', /GREEN-API's side/],
		['a 400 without a text', { kind: 'status', status: 400 }, {}, 'GREEN-API rejected the request', /Check the values sent in this item/],
		['a 502 after 4 requests', { kind: 'status', status: 502, text: 'Bad Gateway' }, { attempts: 4 }, 'GREEN-API had a server error (502): Bad Gateway (4 requests made)', /GREEN-API's side/],
		['a 429 after 8 requests', { kind: 'status', status: 429 }, { attempts: 8 }, 'Too many requests to GREEN-API for this instance (429) (8 requests made)', /Max Requests Per Second/],
		['a 499 after one request', { kind: 'status', status: 499 }, { attempts: 1 }, 'GREEN-API closed the request before answering (499)', /Timeout/],
		['an empty answer to Get State', { kind: 'empty', status: 200 }, { method: 'getStateInstance' }, 'GREEN-API returned no state for this instance (empty answer)', /still being created/],
		['an empty answer to another method', { kind: 'empty', status: 200 }, {}, 'GREEN-API returned an empty answer', /check the instance in the GREEN-API console/],
		['a timeout without a known length', { kind: 'timeout' }, {}, 'GREEN-API did not answer within the timeout', /Raise the Timeout option/],
		['a dropped connection, 4 requests made', { kind: 'dropped' }, { host: 'h.example', attempts: 4 }, 'The connection to GREEN-API at h.example was closed before an answer came (4 requests made)', /Try again/],
		['an unknown host', { kind: 'dns' }, { host: 'h.example' }, 'The GREEN-API host h.example could not be found', /typing mistakes/],
		['an unknown host, no host known', { kind: 'dns' }, {}, 'The GREEN-API host could not be found', /typing mistakes/],
		['another network failure', { kind: 'network' }, { host: 'h.example' }, 'The request to GREEN-API at h.example failed', /network of this n8n/],
		['a refused connection, no host known', { kind: 'refused' }, {}, 'Could not connect to GREEN-API (connection refused)', /API URL/],
		['an answer that is not JSON, without text', { kind: 'notJson', status: 200 }, {}, 'GREEN-API answered with something that is not JSON', /API URL/],
	])('%s', (_name, info, ctx, message, description) => {
		const error = new GreenApiError(node, info, { method: 'checkWhatsapp', ...ctx });
		// No item: no "[item ...]".
		expect(error.message).toBe(message);
		expect(error.description).toMatch(description);
	});

	it('gives n8n the status as its error code, and only our own words as the response (never the raw HTTP error)', () => {
		const error = new GreenApiError(node, { kind: 'status', status: 502, text: 'Bad Gateway' }, { method: 'qr' });
		expect(error.httpCode).toBe('502');
		expect(error.messages).toEqual([error.message]);
		expect(error.errorResponse).toEqual({ message: error.message, description: error.description, httpCode: '502' });
		const network = new GreenApiError(node, { kind: 'refused' }, { method: 'qr' });
		expect(network.httpCode).toBeNull();
		expect(network.errorResponse).toEqual({ message: network.message, description: network.description });
	});

	it('redacts a token that GREEN-API echoed in its text', () => {
		const error = new GreenApiError(
			node,
			{ kind: 'status', status: 500, text: 'failed /waInstance1/checkWhatsapp/SECRETTOKEN123' },
			{ method: 'checkWhatsapp', secrets: ['SECRETTOKEN123'] },
		);
		expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain('SECRETTOKEN123');
		expect(JSON.stringify(failureOf(error))).not.toContain('SECRETTOKEN123');
	});

	it('is the only error failureOf classifies: any other error is not a GREEN-API failure', () => {
		expect(failureOf(new Error('a bug in an output step'))).toBeUndefined();
		expect(failureOf(new NodeApiError(node, { message: 'x' }))).toBeUndefined();
	});
});

describe('localItemError', () => {
	it('has what the editor needs to show it without "From GREEN-API, Error code": no status, no raw messages', () => {
		const error = localItemError(node, 'Phone Number in item 2: "x" is not a phone number', { itemIndex: 2, description: 'Use +44...' });
		// RoutingNode passes a NodeApiError through instead of re-wrapping it with httpCode "none".
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBeNull();
		expect(error.messages).toEqual([]);
		expect(error.context).toEqual({ itemIndex: 2 });
		expect(error.extra).toBeUndefined();
		expect(error.message).toBe('Phone Number in item 2: "x" is not a phone number');
		expect(error.description).toBe('Use +44...');
		expect(failureOf(error)).toBeUndefined();
	});
});
