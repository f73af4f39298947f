const path = require('path');
const { task, src, dest } = require('gulp');

// tsc emits only JavaScript; n8n also needs the icons (one folder for both nodes and the
// credential, referenced as file:../../icons/...) and the codex files beside each built node.
task('build:icons', () =>
	src(['icons/*.{png,svg}', 'nodes/**/*.json', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false, allowEmpty: true }).pipe(
		dest(path.resolve('dist')),
	),
);
