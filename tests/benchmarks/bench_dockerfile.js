// The Node.js side of the Dockerfile parsing benchmark: dockerfile-ast parses the same files the same number
// of times as bench_dockerfile, after one untimed warm-up round (the JIT's warm-up is not the parser's cost).
// usage: NODE_PATH=.../node_modules node bench_dockerfile.js ITERATIONS FILE...
"use strict";
const fs = require("fs");
const { DockerfileParser } = require("dockerfile-ast");

const iterations = Math.max(1, parseInt(process.argv[2], 10) || 1);
const texts = process.argv.slice(3).map((p) => fs.readFileSync(p, "utf8"));
let instructions = 0;
for (const t of texts) instructions += DockerfileParser.parse(t).getInstructions().length;
const start = process.hrtime.bigint();
let checksum = 0;
for (let i = 0; i < iterations; ++i) {
    for (const t of texts) checksum += DockerfileParser.parse(t).getInstructions().length;
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`files=${texts.length} instructions=${instructions} checksum_ok=${checksum === instructions * iterations ? 1 : 0} ` +
    `total_ms=${ms.toFixed(3)} per_iteration_ms=${(ms / iterations).toFixed(5)}`);
