/**
 * Plain-language readings of GREEN-API's values (nodes/client/states.ts), checked against what
 * GREEN-API documents for each value (docs/GREEN-API.md) and its monitoring advice
 * (notAuthorized: re-link; blocked: appeal; starting for long: reboot; yellowCard: warn, reboot).
 */
import { describeState, explainQrType, explainUnbanStatus, KNOWN_STATES } from '../../nodes/client/states';

describe('describeState', () => {
	it.each<[string, string, RegExp]>([
		['authorized', 'none', /linked.*working/i],
		['notAuthorized', 'relink', /not linked.*QR code.*Get Link Code/i],
		['blocked', 'appeal', /banned.*Unban/i],
		['sleepMode', 'checkPhone', /phone is switched off.*5 minutes/i],
		['starting', 'wait', /starting.*5 minutes.*reboot/i],
		['yellowCard', 'reboot', /suspended.*spam.*24 hours.*reboot/i],
		['suspended', 'wait', /restricted.*wait/i],
	])('%s: %s', (state, recommendedAction, meaning) => {
		const info = describeState(state);
		expect(info.recommendedAction).toBe(recommendedAction);
		expect(info.meaning).toMatch(meaning);
	});

	it('offers every documented state, and only those, as a known state', () => {
		expect([...KNOWN_STATES].sort()).toEqual(['authorized', 'blocked', 'notAuthorized', 'sleepMode', 'starting', 'suspended', 'yellowCard']);
	});

	it('passes an unknown state through with a neutral reading, also one named like an object property', () => {
		expect(describeState('quantumLocked')).toEqual({
			meaning: 'State "quantumLocked" is not documented yet; see the GREEN-API console.',
			recommendedAction: 'unknown',
		});
		expect(describeState('constructor').recommendedAction).toBe('unknown');
	});
});

describe('explainUnbanStatus', () => {
	it.each<[string, RegExp]>([
		['NO_APPEAL_OPEN', /no appeal was received/i],
		['UNBANNED', /ban was lifted/i],
		['IN_REVIEW', /being reviewed.*do not appeal again/i],
		// GREEN-API's own spelling, and the correct one in case it is fixed.
		['PERMANETLY_BANNED', /banned permanently.*manual appeal/i],
		['PERMANENTLY_BANNED', /banned permanently.*manual appeal/i],
	])('%s', (status, explanation) => {
		expect(explainUnbanStatus(status)).toMatch(explanation);
	});

	it('passes an unknown or missing status through', () => {
		expect(explainUnbanStatus('APPEAL_LOST')).toBe('Status "APPEAL_LOST" is not documented yet; see the GREEN-API console.');
		expect(explainUnbanStatus(undefined)).toBe('Status "" is not documented yet; see the GREEN-API console.');
		expect(explainUnbanStatus('toString')).toMatch(/not documented yet/);
	});
});

describe('explainQrType', () => {
	it('qrCode: a person scans it within 20 seconds; an AI agent is sent to the console or to Get Link Code', () => {
		expect(explainQrType('qrCode')).toMatch(/scan.*20 seconds/);
		expect(explainQrType('qrCode')).toMatch(/AI agent cannot see.*GREEN-API console.*Get Link Code/);
	});

	it('alreadyLogged: no QR code is needed; error: none could be made', () => {
		expect(explainQrType('alreadyLogged')).toMatch(/already linked.*no QR code is needed/);
		expect(explainQrType('error')).toMatch(/could not make a QR code/);
	});

	it('passes an unknown or missing type through', () => {
		expect(explainQrType('pairingCode')).toBe('Answer type "pairingCode" is not documented yet.');
		expect(explainQrType(null)).toBe('Answer type "" is not documented yet.');
	});
});
