/**
 * The README is for users: it lists every operation of the node, with the GREEN-API method it
 * calls, so a new operation cannot ship without its row.
 */
import * as fs from 'fs';
import * as path from 'path';

import { instanceOperations } from '../nodes/GreenApi/resources/instance';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** First and second cells of the rows of the README's "Operations" table. */
function operationRows(): Array<[string, string]> {
	const section = readme.slice(readme.indexOf('\n## Operations\n'), readme.indexOf('\n## ', readme.indexOf('\n## Operations\n') + 1));
	return section
		.split('\n')
		.filter((line) => line.startsWith('| ') && !line.startsWith('| operation ') && !line.startsWith('|---'))
		.map((line) => line.split('|').slice(1, 3).map((cell) => cell.trim()) as [string, string]);
}

it('the Operations table has one row per operation of the node, naming the GREEN-API method it calls', () => {
	const rows = operationRows();
	expect(rows.map(([name]) => name).sort()).toEqual(instanceOperations.map((op) => op.name).sort());
	for (const op of instanceOperations) {
		const [, methods] = rows.find(([name]) => name === op.name)!;
		expect([op.name, methods.startsWith(`\`${op.method.name}\``)]).toEqual([op.name, true]);
	}
});
