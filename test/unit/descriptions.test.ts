import { GreenApi } from '../../nodes/GreenApi/GreenApi.node';
import { instanceOperations } from '../../nodes/GreenApi/resources/instance';
import { rateLimitText } from '../../nodes/GreenApi/fields';

const description = new GreenApi().description;

describe('texts derived from the operation list', () => {
	it('the subtitle names every operation the way the operation list does', () => {
		const subtitle = String(description.subtitle);
		const names = JSON.parse(/^=\{\{ (\{.*\})\[\$parameter\["operation"\]\] \}\}$/.exec(subtitle)![1]) as Record<string, string>;
		const operation = description.properties.find((p) => p.name === 'operation')!;
		expect(names).toEqual(Object.fromEntries(operation.options!.map((o) => ['value' in o ? o.value : '', o.name])));
		expect(Object.keys(names).sort()).toEqual(instanceOperations.map((op) => op.value).sort());
	});

	it('the rate-limit text gives each operation its method\'s limit, saying where GREEN-API publishes none', () => {
		const text = rateLimitText(instanceOperations);
		for (const part of text.split('; ')) {
			const published = /^(\d+)\/s for (.+)$/.exec(part);
			const ours = /^none published for (.+) \(sent at (\d+)\/s\)$/.exec(part);
			expect([part, Boolean(published || ours)]).toEqual([part, true]);
			const names = (published ? published[2] : ours![1]).split(/, | and /);
			const rate = Number(published ? published[1] : ours![2]);
			for (const name of names) {
				const op = instanceOperations.find((o) => o.name === name)!;
				expect([name, op.method.perSecond, op.method.published]).toEqual([name, rate, Boolean(published)]);
			}
		}
		expect(instanceOperations.every((op) => text.includes(op.name))).toBe(true);
		const options = description.properties.find((p) => p.name === 'options')!;
		expect(JSON.stringify(options)).toContain(text);
	});

	it('each operation\'s description for the list is one short sentence; the longer text lives in notices and tool descriptions', () => {
		for (const op of instanceOperations) expect([op.name, op.description.length <= 100, op.description.endsWith('.')]).toEqual([op.name, true, false]);
	});

	it('the Phone Number field shows for exactly the per-number operations', () => {
		const phone = description.properties.find((p) => p.name === 'phoneNumber')!;
		expect(phone.displayOptions?.show?.operation).toEqual(instanceOperations.filter((op) => op.perNumber).map((op) => op.value));
		expect(instanceOperations.filter((op) => op.perNumber).every((op) => op.body !== undefined)).toBe(true);
		expect(description.properties.filter((p) => p.name === 'phoneNumber')).toHaveLength(1);
	});
});
