import type { GreenApiOperation } from '../../shared/routing';

export const logout: GreenApiOperation = {
	name: 'Logout',
	value: 'logout',
	method: 'logout',
	action: 'Log out the instance',
	description:
		'Unlink the phone from the instance. Destructive: it stays unlinked until someone scans a new QR code. Ask a human before using it.',
};
