'use strict';
/**
 * One install into a cache folder at a time, across processes: proper-lockfile keeps a
 * `<name>.lock` folder fresh while we hold it, so a lock left by a crashed run goes stale and
 * is taken over after `staleMs`.
 */
const fs = require('fs');
const path = require('path');
const lockfile = require('proper-lockfile');

const { CACHE_DIR } = require('./config');
const { defaultLog, sleep } = require('./run');
const { isAlive } = require('./processes');

async function withLock(name, fn, log = defaultLog) {
	fs.mkdirSync(CACHE_DIR, { recursive: true });
	const target = path.join(CACHE_DIR, name);
	const lockPath = `${target}.lock`;
	await waitForLegacyLock(lockPath, name, log);
	let release;
	let announced = false;
	for (;;) {
		try {
			release = await lockfile.lock(target, { realpath: false, lockfilePath: lockPath, stale: 30e3, update: 5e3 });
			break;
		} catch (err) {
			if (err.code !== 'ELOCKED') throw err;
			if (!announced) {
				log(`  … waiting for another run to finish installing ${name}`);
				announced = true;
			}
			await sleep(2000);
		}
	}
	try {
		return await fn();
	} finally {
		await release();
	}
}

/** Scripts before proper-lockfile held `<name>.lock/pid` without refreshing it: wait while that pid lives. */
async function waitForLegacyLock(lockPath, name, log) {
	let announced = false;
	for (;;) {
		let owner = 0;
		try {
			owner = Number(fs.readFileSync(path.join(lockPath, 'pid'), 'utf8'));
		} catch {
			return;
		}
		if (!owner || !isAlive(owner)) {
			fs.rmSync(lockPath, { recursive: true, force: true });
			return;
		}
		if (!announced) {
			log(`  … waiting for another run (pid ${owner}) to finish installing ${name}`);
			announced = true;
		}
		await sleep(2000);
	}
}

module.exports = { withLock };
