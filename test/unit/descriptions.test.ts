import { GreenApi } from '../../nodes/GreenApi/GreenApi.node';
import { instanceOperations } from '../../nodes/GreenApi/resources/instance';
import { rateLimitText } from '../../nodes/GreenApi/shared/descriptions';

const description = new GreenApi().description;

describe('texts derived from the operation list', () => {
	it('the subtitle names every operation the way the operation list does', () => {
		const subtitle = String(description.subtitle);
		const names = JSON.parse(/^=\{\{ (\{.*\})\[\$parameter\["operation"\]\] \}\}$/.exec(subtitle)![1]) as Record<string, string>;
		// One Operation parameter per resource (Instance, Partner).
		const operations = description.properties.filter((p) => p.name === 'operation');
		expect(operations).toHaveLength(2);
		expect(names).toEqual(Object.fromEntries(operations.flatMap((op) => op.options!.map((o) => ['value' in o ? o.value : '', o.name]))));
		expect(Object.keys(names)).toHaveLength(13);
	});

	it('the rate-limit text gives GREEN-API\'s documented limits', () => {
		const text = rateLimitText(instanceOperations);
		expect(text).toBe(
			'1/s for Get Account Info, Get State, Logout and Reboot; 3/s for Get QR Code; 10/s for Check WhatsApp; none published for Get Appeal Status, Get Link Code, Get Outgoing Queue and Unban (sent at 1/s)',
		);
		const options = description.properties.find((p) => p.name === 'options')!;
		expect(JSON.stringify(options)).toContain(text);
	});

	it('the Phone Number field shows for exactly the per-number operations', () => {
		const phone = description.properties.find((p) => p.name === 'phoneNumber')!;
		expect(phone.displayOptions?.show?.operation).toEqual(['checkWhatsapp', 'getAppealStatus', 'getLinkCode', 'unban']);
		expect(description.properties.filter((p) => p.name === 'phoneNumber')).toHaveLength(1);
	});
});
