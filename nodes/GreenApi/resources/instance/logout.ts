import type { GreenApiOperation } from '../../operation';

export const logout: GreenApiOperation = {
	name: 'Logout',
	value: 'logout',
	method: { name: 'logout', verb: 'GET', perSecond: 1, published: true, effect: 'changes' },
	action: 'Log out the instance',
	description: 'Unlink the phone from the instance',
	toolDescription: 'Unlink the phone from the instance. Returns isLogout.',
	warning: 'Logout unlinks the phone: the instance stays unlinked until someone links a phone again (QR code or link code).',
};
