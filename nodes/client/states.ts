/** Plain-language readings of GREEN-API's values, from GREEN-API's own documentation. */

export type RecommendedAction = 'none' | 'relink' | 'appeal' | 'reboot' | 'wait' | 'checkPhone' | 'unknown';

export interface StateInfo {
	meaning: string;
	recommendedAction: RecommendedAction;
}

const STATES: Record<string, StateInfo> = {
	authorized: { meaning: 'Linked to a phone and working.', recommendedAction: 'none' },
	notAuthorized: {
		meaning:
			'Not linked to a phone: scan the QR code in the GREEN-API console (or with Get QR Code), or enter a code from Get Link Code on the phone, to re-link.',
		recommendedAction: 'relink',
	},
	blocked: {
		meaning: 'The WhatsApp account is banned: appeal with the Unban operation.',
		recommendedAction: 'appeal',
	},
	sleepMode: {
		meaning: 'The phone is switched off or offline; it returns to authorized within about 5 minutes after it is back on.',
		recommendedAction: 'checkPhone',
	},
	starting: {
		meaning: 'Starting or in service mode (up to 5 minutes); if it lasts longer, reboot the instance.',
		recommendedAction: 'wait',
	},
	yellowCard: {
		meaning: 'Sending is partly or fully suspended for suspected spam; messages queue for 24 hours. Reboot the instance and slow down sending.',
		recommendedAction: 'reboot',
	},
	suspended: {
		meaning: 'Temporarily restricted by WhatsApp; wait for the restriction to end.',
		recommendedAction: 'wait',
	},
};

/** The known states, for option lists. */
export const KNOWN_STATES = Object.keys(STATES);

/** Unknown states pass through with a neutral reading: GREEN-API adds states over time. */
export function describeState(state: string): StateInfo {
	return Object.prototype.hasOwnProperty.call(STATES, state)
		? STATES[state]
		: { meaning: `State "${state}" is not documented yet; see the GREEN-API console.`, recommendedAction: 'unknown' };
}

const UNBAN_STATUSES: Record<string, string> = {
	NO_APPEAL_OPEN: 'No appeal was received.',
	UNBANNED: 'The ban was lifted.',
	IN_REVIEW: 'The appeal is being reviewed: do not appeal again.',
	// GREEN-API spells it this way in the API itself; users filtering on it should know.
	PERMANETLY_BANNED:
		'The number is banned permanently; only a manual appeal to WhatsApp can help. (GREEN-API spells this status PERMANETLY_BANNED, without the second N: filter on that spelling.)',
	PERMANENTLY_BANNED: 'The number is banned permanently; only a manual appeal to WhatsApp can help.',
};

export function explainUnbanStatus(status: unknown): string {
	const key = String(status ?? '');
	return Object.prototype.hasOwnProperty.call(UNBAN_STATUSES, key)
		? UNBAN_STATUSES[key]
		: `Status "${key}" is not documented yet; see the GREEN-API console.`;
}

const QR_TYPES: Record<string, string> = {
	// Read by people and by AI agents: an agent gets this text without the image.
	qrCode:
		'The QR code is the PNG image in binary data, for a person to scan with WhatsApp on the phone (Linked devices) within 20 seconds; it refreshes every 20 seconds. ' +
		'An AI agent cannot see or scan the image: ask the person to open the QR code in the GREEN-API console, or use Get Link Code to get a code they can type on the phone.',
	alreadyLogged: 'The instance is already linked to a phone: no QR code is needed.',
	error: 'GREEN-API could not make a QR code now; see message.',
};

export function explainQrType(type: unknown): string {
	const key = String(type ?? '');
	return Object.prototype.hasOwnProperty.call(QR_TYPES, key) ? QR_TYPES[key] : `Answer type "${key}" is not documented yet.`;
}
