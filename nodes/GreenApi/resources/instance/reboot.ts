import type { GreenApiOperation } from '../../shared/routing';

export const reboot: GreenApiOperation = {
	name: 'Reboot',
	value: 'reboot',
	method: 'reboot',
	action: 'Reboot the instance',
	warning: 'Reboot restarts the instance: sending stops for up to a few minutes.',
	description:
		'Restart the instance; GREEN-API advises it when the state stays starting for more than 5 minutes or is yellowCard. It interrupts sending: ask a human before using it.',
};
