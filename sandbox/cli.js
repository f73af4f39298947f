#!/usr/bin/env node
'use strict';
/**
 * Starts the GREEN-API sandbox from a shell (for the demo and for trying the nodes in n8n by hand).
 *   node sandbox/cli.js [--port 3000] [--host 127.0.0.1] [--latency 150] [--jitter 0]
 *                       [--retry-after SECONDS] [--error-style json|text] [--reboot-ms 3000]
 *                       [--instance ID:TOKEN[:STATE]]... [--partner TOKEN[:COUNT]]...
 */
const { parseArgs } = require('util');
const { startSandbox, DEFAULTS, DEMO } = require('./server');

const USAGE = `Usage: node sandbox/cli.js [--port 3000] [--host ${DEFAULTS.host}] [--latency MS] [--jitter MS]
       [--retry-after SECONDS] [--error-style json|text] [--reboot-ms MS] [--instance ID:TOKEN[:STATE]]...
       [--partner TOKEN[:COUNT]]...
--port 0 picks a free port. STATE "null" means "still being created". Without --instance a demo
instance ${DEMO.idInstance} (the one npm run dev uses) is created. --partner adds a partner account
with COUNT generated instances (default 3).`;

/** @param {string} name @param {string|undefined} value @param {number} fallback */
function number(name, value, fallback) {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0`);
	return n;
}

/** @param {string} spec ID:TOKEN[:STATE] @returns {import('./types').InstanceDef} */
function parseInstance(spec) {
	const [idInstance, apiTokenInstance, state, ...rest] = spec.split(':');
	if (!idInstance || !apiTokenInstance || rest.length > 0) throw new Error(`--instance ${spec}: expected ID:TOKEN[:STATE]`);
	if (state === undefined) return { idInstance, apiTokenInstance };
	return { idInstance, apiTokenInstance, stateInstance: state === 'null' ? null : state };
}

async function main() {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			host: { type: 'string' },
			latency: { type: 'string' },
			jitter: { type: 'string' },
			'retry-after': { type: 'string' },
			'error-style': { type: 'string' },
			'reboot-ms': { type: 'string' },
			instance: { type: 'string', multiple: true },
			partner: { type: 'string', multiple: true },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const errorStyle = values['error-style'] ?? DEFAULTS.errorStyle;
	if (errorStyle !== 'json' && errorStyle !== 'text') throw new Error('--error-style must be json or text');
	const sandbox = await startSandbox({
		host: values.host ?? DEFAULTS.host,
		port: number('port', values.port, 3000),
		latencyMs: number('latency', values.latency, DEFAULTS.latencyMs),
		latencyJitterMs: number('jitter', values.jitter, DEFAULTS.latencyJitterMs),
		retryAfter: values['retry-after'] === undefined ? false : number('retry-after', values['retry-after'], 0),
		errorStyle,
		rebootMs: number('reboot-ms', values['reboot-ms'], DEFAULTS.rebootMs),
		instances: values.instance ? values.instance.map(parseInstance) : [{ ...DEMO }],
	});

	for (const spec of values.partner ?? []) {
		const [token, count = '3'] = spec.split(':');
		sandbox.partner.addAccount(token);
		sandbox.partner.addInstances(token, { count: number('partner', count, 3) });
	}

	console.log(`GREEN-API sandbox listening on ${sandbox.url}`);
	console.log('Instances (use the URL above as the credential\'s API URL):');
	for (const i of sandbox.listInstances()) {
		console.log(`  idInstance ${i.idInstance}  apiTokenInstance ${i.apiTokenInstance}  stateInstance ${i.stateInstance}`);
	}
	const [first] = sandbox.listInstances();
	if (first) console.log(`  try: curl ${sandbox.url}/waInstance${first.idInstance}/getStateInstance/${first.apiTokenInstance}`);
	for (const spec of values.partner ?? []) {
		const token = spec.split(':')[0];
		console.log(`Partner account (${sandbox.partner.listInstances(token).length} instances): curl ${sandbox.url}/partner/getInstances/${token}`);
	}
	console.log('Admin (JSON, no auth):');
	for (const [verb, path, example] of [
		['GET ', '/admin/instances', ''],
		['POST', '/admin/instances', '{"idInstance": "1101000002", "apiTokenInstance": "...", "stateInstance": "notAuthorized"}'],
		['POST', '/admin/instances/:id/state', '{"stateInstance": "blocked"}'],
		['POST', '/admin/instances/:id/script', '{"states": ["starting", "authorized"]}'],
		['POST', '/admin/instances/:id', '{"appealStatus": "IN_REVIEW", "queueGrowth": 2, "countKey": "count"} (settings until reset)'],
		['POST', '/admin/instances/:id/queue', '{"messages": 5} (queued unless authorized; /queue/set replaces)'],
		['POST', '/admin/instances/:id/code', '{"code": "..."} (the phone enters a getAuthorizationCode code)'],
		['POST', '/admin/faults', '{"kind": "status", "status": 500, "count": 2, "method": "checkWhatsapp"} (kinds: status html empty null delay drop)'],
		['POST', '/admin/latency', '{"ms": 150, "jitterMs": 50}'],
		['POST', '/admin/rate-limits', '{"checkWhatsapp": 10, "getStateInstance": null}'],
		['GET ', '/admin/stats', ''],
		['POST', '/admin/stats/reset', ''],
		['POST', '/admin/reset', ''],
		['POST', '/admin/partners/:partnerToken/instances', '{"count": 1000, "stateInstance": null} (see sandbox/README.md, Partner API)'],
	]) {
		console.log(`  ${verb} ${sandbox.url}${path}  ${example}`.trimEnd());
	}
	console.log('Stop with Ctrl+C.');

	const stop = async () => {
		await sandbox.close();
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((err) => {
	console.error(err.message);
	console.error(USAGE);
	process.exit(2);
});
