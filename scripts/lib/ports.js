'use strict';
/**
 * Free loopback ports. Small enough to keep by hand: get-port, the usual library, is ESM-only
 * since v6, and these scripts are CommonJS run by plain Node.
 */
const net = require('net');

/** A port the OS says is free right now on 127.0.0.1. @returns {Promise<number>} */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			// listening on a TCP address, so address() is an AddressInfo (a string only for pipes)
			const { port } = /** @type {import('net').AddressInfo} */ (srv.address());
			srv.close(() => resolve(port));
		});
	});
}

/** n distinct free ports (one process may need several: HTTP, task broker, health server). */
async function freePorts(n) {
	const ports = new Set();
	while (ports.size < n) ports.add(await freePort());
	return [...ports];
}

function isPortFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

/** The first free port of [preferred, preferred+20), else any free port. */
async function preferredPort(preferred) {
	for (let p = preferred; p < preferred + 20; p++) if (await isPortFree(p)) return p;
	return freePort();
}

module.exports = { freePort, freePorts, isPortFree, preferredPort };
