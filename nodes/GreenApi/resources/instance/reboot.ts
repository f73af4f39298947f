import type { GreenApiOperation } from '../../operation';

export const reboot: GreenApiOperation = {
	name: 'Reboot',
	value: 'reboot',
	method: { name: 'reboot', verb: 'GET', perSecond: 1, published: true, effect: 'changes' },
	action: 'Reboot the instance',
	description: 'Restart the instance (GREEN-API advises it after 5 minutes in starting, or in yellowCard)',
	toolDescription:
		'Restart the instance; GREEN-API advises it when the state stays starting for more than 5 minutes or is yellowCard. Returns isReboot.',
	warning: 'Reboot restarts the instance: sending stops for up to a few minutes.',
};
