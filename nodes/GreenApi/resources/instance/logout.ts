import type { GreenApiOperation } from '../../shared/routing';

export const logout: GreenApiOperation = {
	name: 'Logout',
	value: 'logout',
	method: 'logout',
	action: 'Log out the instance',
	warning: 'Logout unlinks the phone: the instance stays unlinked until someone links a phone again (QR code or link code).',
	description:
		'Unlink the phone from the instance. Destructive: it stays unlinked until someone scans a new QR code. Ask a human before using it.',
};
