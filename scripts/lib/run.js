'use strict';
/** Running commands: output into log files (never the terminal), progress lines, captured output. */
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

/**
 * @typedef {(msg: string) => void} Log
 * @typedef {{ cwd: string, env: NodeJS.ProcessEnv, logFile: string, label: string, log?: Log, timeoutMs?: number, uid?: number, gid?: number }} RunOptions
 * @typedef {{ timeoutMs: number, everyMs?: number, stop?: () => string | false | null | undefined, onTick?: (elapsedMs: number) => unknown }} WaitOptions
 */

/** @type {Log} */
function defaultLog(msg) {
	process.stderr.write(`${msg}\n`);
}

/** @param {number} ms @returns {Promise<void>} */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @param {number} ms */
function fmtSecs(ms) {
	const s = Math.round(ms / 1000);
	return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Runs a command with its output in a log file; shows a progress line while it runs.
 * @param {string} cmd @param {string[]} args @param {RunOptions} options @returns {Promise<void>}
 */
function runLogged(cmd, args, { cwd, env, logFile, label, log = defaultLog, timeoutMs = 30 * 60e3, uid, gid }) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'a');
	fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}   (cwd ${cwd})\n`);
	const started = Date.now();
	const tty = process.stderr.isTTY;
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd, env, uid, gid, stdio: ['ignore', out, out] });
		const tick = setInterval(() => {
			const line = `  … ${label}: ${fmtSecs(Date.now() - started)} (log: ${path.relative(process.cwd(), logFile)})`;
			if (tty) process.stderr.write(`\r${line}   `);
			else log(line);
		}, tty ? 1000 : 30000);
		const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
		child.on('error', (err) => {
			clearInterval(tick);
			clearTimeout(timer);
			fs.closeSync(out);
			reject(err);
		});
		child.on('exit', (code, signal) => {
			clearInterval(tick);
			clearTimeout(timer);
			fs.closeSync(out);
			if (tty) process.stderr.write('\r\x1b[K');
			if (code === 0) {
				log(`  ✓ ${label} (${fmtSecs(Date.now() - started)})`);
				resolve();
			} else {
				let tail = '';
				try {
					tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
				} catch {
					// no log to quote (never written, or removed): the error still names the file
				}
				reject(new Error(`${label} failed (exit ${code ?? signal}); see ${logFile}\n${tail}`));
			}
		});
	});
}

/**
 * @param {string} cmd @param {string[]} args @param {{ env?: NodeJS.ProcessEnv, cwd?: string }} [options]
 * @returns {Promise<string>}
 */
function captureOutput(cmd, args, { env, cwd } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { env: env || process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
	});
}

/**
 * Polls check() until it returns a truthy value; gives up (throws) after timeoutMs or when stop() says so.
 * @template T
 * @param {string} what @param {() => T | Promise<T>} check @param {WaitOptions} options
 * @returns {Promise<T>}
 */
async function waitUntil(what, check, { timeoutMs, everyMs = 500, stop = () => undefined, onTick }) {
	const started = Date.now();
	for (;;) {
		const reason = stop();
		if (reason) throw new Error(`${what}: ${reason}`);
		const value = await check();
		if (value) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`${what}: not ready after ${fmtSecs(timeoutMs)}`);
		if (onTick) onTick(Date.now() - started);
		await sleep(everyMs);
	}
}

module.exports = { defaultLog, sleep, fmtSecs, runLogged, captureOutput, waitUntil };
