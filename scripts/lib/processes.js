'use strict';
/**
 * Process trees: what we start is spawned `detached` (its own process group), so one signal to
 * the group reaches a child's children too (n8n's task runner, postgres' backends). pidtree lists
 * descendants through `ps` on Linux and macOS alike; stopTree() checks that all of them ended.
 * Whatever is still running when this Node process exits is killed (SIGKILL, synchronously).
 */
const fs = require('fs');
const pidtree = require('pidtree');

const { sleep } = require('./run');

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return err.code === 'EPERM';
	}
}

/** A zombie has ended and only waits for its parent to read its status. Linux: /proc; elsewhere our children are reaped by Node. */
function isZombie(pid) {
	if (process.platform !== 'linux') return false;
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
	} catch {
		return true; // gone
	}
}

const running = (pid) => isAlive(pid) && !isZombie(pid);

/** Pids of all descendants of pid (not pid itself); [] when pid is gone. */
async function descendants(pid) {
	try {
		return await pidtree(pid);
	} catch {
		return [];
	}
}

const tracked = new Set();

/** Remember a group leader so it is killed if this process exits without stopping it. */
function track(pid) {
	tracked.add(pid);
}

function signalGroup(pid, pids, sig) {
	try {
		process.kill(-pid, sig);
	} catch {
		// the group is gone already (ESRCH): nothing to signal
	}
	for (const p of pids) {
		try {
			process.kill(p, sig);
		} catch {
			// this descendant ended between listing and signalling: what stopTree wants
		}
	}
}

/**
 * Ends a process and its descendants: `signal` to the group, SIGKILL after graceMs, then checks
 * that none is left (throws naming them). Returns { pids, killed }.
 */
async function stopTree(pid, { graceMs = 20000, signal = 'SIGTERM', what = 'process' } = {}) {
	tracked.delete(pid);
	const group = [pid, ...(await descendants(pid))];
	const alive = () => group.filter(running);
	if (alive().length) signalGroup(pid, alive(), signal);
	const deadline = Date.now() + graceMs;
	while (alive().length && Date.now() < deadline) await sleep(200);
	let killed = false;
	if (alive().length) {
		killed = true;
		signalGroup(pid, alive(), 'SIGKILL');
		const d2 = Date.now() + 5000;
		while (alive().length && Date.now() < d2) await sleep(100);
	}
	const left = alive();
	if (left.length) throw new Error(`${what} still running after stop: pids ${left.join(', ')}`);
	return { pids: group, killed };
}

/** Synchronous last resort (process 'exit'): SIGKILL every group still tracked. */
function killAllTrackedSync() {
	for (const pid of tracked) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// already gone; nothing else can be done while the process exits
		}
	}
	tracked.clear();
}
process.on('exit', killAllTrackedSync);

module.exports = { isAlive, isZombie, running, descendants, track, stopTree, killAllTrackedSync };
