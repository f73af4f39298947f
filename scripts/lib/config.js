'use strict';
/** Paths, versions and the demo owner: the facts every script shares. */
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.resolve(process.env.GREEN_API_N8N_CACHE || path.join(ROOT, '.cache'));
const LOG_DIR = path.join(CACHE_DIR, 'logs');
const DEFAULT_N8N_VERSION = '2.41.1';
const N8N_1X_VERSION = '1.123.81';
const TESTED_N8N_VERSIONS = [DEFAULT_N8N_VERSION, N8N_1X_VERSION];
const PACKAGE_NAME = 'n8n-nodes-green-api';

const OWNER = {
	email: 'owner@example.com',
	password: 'GreenApi-Demo-1',
	firstName: 'Demo',
	lastName: 'Owner',
};

module.exports = { ROOT, CACHE_DIR, LOG_DIR, DEFAULT_N8N_VERSION, N8N_1X_VERSION, TESTED_N8N_VERSIONS, PACKAGE_NAME, OWNER };
