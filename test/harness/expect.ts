/**
 * Assertions shared by the engine tests. Import from test files only (they use jest's `expect`).
 */
import { findSecret } from './find-secret';
import { logs } from './logs';

/** No secret in `value` (a run result, an error, output items) nor in anything n8n logged. */
export function expectNoToken(value: unknown, secrets: string[]): void {
	for (const secret of secrets) {
		expect(findSecret(value, secret)).toEqual([]);
		expect(findSecret(logs.lines, secret)).toEqual([]);
	}
}
