/**
 * The templates under templates/ as the suites import them: read from disk, given a workflow id,
 * and their GREEN-API credentials swapped for a sandbox credential of the harness.
 */
import * as fs from 'fs';
import * as path from 'path';

import { env } from '../harness';

type Json = Record<string, any>;

export const TEMPLATE_DIR = path.join(env.ROOT, 'templates');

export function templateFiles(): string[] {
	return fs
		.readdirSync(TEMPLATE_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

export function readTemplate(file: string): Json {
	return JSON.parse(fs.readFileSync(path.join(TEMPLATE_DIR, file), 'utf8'));
}

/**
 * A template ready to import: a fixed id, and every GREEN-API credential replaced by `cred`
 * (a partner credential by `partnerCred`).
 * `replace` swaps whole nodes by name (outside services -> a recorder), keeping name and position.
 */
export function templateForTest(
	file: string,
	id: string,
	cred: { id: string; name: string },
	replace: Record<string, Json> = {},
	partnerCred?: { id: string; name: string },
): Json {
	const wf = readTemplate(file);
	wf.id = id;
	wf.active = false;
	wf.nodes = wf.nodes.map((node: Json) => {
		if (replace[node.name]) return { id: node.id, name: node.name, position: node.position, ...replace[node.name] };
		if (node.credentials?.greenApi) return { ...node, credentials: { ...node.credentials, greenApi: cred } };
		if (node.credentials?.greenApiPartnerApi && partnerCred) return { ...node, credentials: { ...node.credentials, greenApiPartnerApi: partnerCred } };
		return node;
	});
	return wf;
}

/** Connections as [from, type, to] triples, sorted: what the README describes, checked in one look. */
export function connectionTriples(wf: Json): string[] {
	const out: string[] = [];
	for (const [from, byType] of Object.entries<Json>(wf.connections ?? {})) {
		for (const [type, outputs] of Object.entries<Json[][]>(byType)) {
			outputs.forEach((targets, outputIndex) => {
				for (const t of targets ?? []) out.push(`${from} -[${type}${outputIndex ? `#${outputIndex}` : ''}]-> ${t.node}`);
			});
		}
	}
	return out.sort();
}
