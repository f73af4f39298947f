/**
 * The documents that restate facts of the code say what the code does: GREEN-API's method table
 * in docs/GREEN-API.md against the operation files' methods.
 */
import * as fs from 'fs';
import * as path from 'path';

import { METHODS } from '../nodes/GreenApi/resources/instance';

const root = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The cells of each row of the markdown tables in `text` whose first cell is a method of the package. */
function rowsByMethod(text: string): Record<string, string[]> {
	const rows: Record<string, string[]> = {};
	for (const line of text.split('\n')) {
		const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
		if (cells.length > 1 && cells[0] in METHODS) rows[cells[0]] = cells;
	}
	return rows;
}

describe('docs/GREEN-API.md', () => {
	const rows = rowsByMethod(read('docs/GREEN-API.md'));

	it('has a row for most methods of the package (the check below reads them)', () => {
		expect(Object.keys(rows).length).toBeGreaterThan(Object.keys(METHODS).length / 2);
	});

	it.each(Object.entries(rows))('%s: the verb and whether GREEN-API publishes a limit, as the operation file declares', (name, cells) => {
		const method = METHODS[name];
		const [, verb, , limit] = cells;
		expect(verb.split(' ')[0]).toBe(method.verb);
		expect(limit).toBe(method.published ? `${method.perSecond}/s` : 'not published');
	});
});
