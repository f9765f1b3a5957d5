#!/usr/bin/env node
// Extracts the GitHub REST response examples the connector tests use, wire-exact, from GitHub's own OpenAPI
// description as shipped by the npm package @octokit/openapi (23.0.2, file generated/api.github.com.json; CONNECTORS.md
// §1). The package is about 385 MB installed, so it is installed outside the repository and only these examples are
// committed (tests/Connectors.Tests/Fixtures/github/).
//
// Usage (Node 20+):
//   mkdir -p /tmp/gh-openapi && (cd /tmp/gh-openapi && npm install --no-audit --no-fund @octokit/openapi@23.0.2)
//   node tools/extract-github-fixtures.mjs /tmp/gh-openapi/node_modules/@octokit/openapi tests/Connectors.Tests/Fixtures/github
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const [pkgDir, outDir] = process.argv.slice(2);
if (!pkgDir || !outDir) {
  console.error("usage: node tools/extract-github-fixtures.mjs <node_modules/@octokit/openapi> <output folder>");
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const spec = JSON.parse(readFileSync(join(pkgDir, "generated", "api.github.com.json"), "utf8"));

// fixture file name -> [method, path, status, example name]
const wanted = {
  "user": ["get", "/user", "200", "response-with-public-and-private-profile-information"],
  "search-repositories": ["get", "/search/repositories", "200", "default"],
  "content-file": ["get", "/repos/{owner}/{repo}/contents/{path}", "200", "response-if-content-is-a-file"],
  "content-directory": ["get", "/repos/{owner}/{repo}/contents/{path}", "200", "response-if-content-is-a-directory"],
  "issue-items": ["get", "/repos/{owner}/{repo}/issues", "200", "default"],
  "search-issues": ["get", "/search/issues", "200", "default"],
  "issue-get": ["get", "/repos/{owner}/{repo}/issues/{issue_number}", "200", "default"],
  "issue-comment-items": ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "200", "default"],
  "label-items": ["get", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "200", "default"],
  "issue-created": ["post", "/repos/{owner}/{repo}/issues", "201", "default"],
  "issue-updated": ["patch", "/repos/{owner}/{repo}/issues/{issue_number}", "200", "default"],
  "issue-comment-created": ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "201", "default"],
  "pull-request-simple-items": ["get", "/repos/{owner}/{repo}/pulls", "200", "default"],
  "pull-request": ["get", "/repos/{owner}/{repo}/pulls/{pull_number}", "200", "default"],
  "diff-entry-items": ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "200", "default"],
  "pull-request-review-items": ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "200", "default"],
  "combined-commit-status": ["get", "/repos/{owner}/{repo}/commits/{ref}/status", "200", "default"],
  "check-run-paginated": ["get", "/repos/{owner}/{repo}/commits/{ref}/check-runs", "200", "default"],
  "pull-request-created": ["post", "/repos/{owner}/{repo}/pulls", "201", "default"],
  "full-repository": ["get", "/repos/{owner}/{repo}", "200", "default-response"],
  "git-ref": ["get", "/repos/{owner}/{repo}/git/ref/{ref}", "200", "default"],
  "git-ref-created": ["post", "/repos/{owner}/{repo}/git/refs", "201", "default"],
  "gist-created": ["post", "/gists", "201", "default"],
};

function resolve(node) {
  while (node && node.$ref) {
    const parts = node.$ref.replace(/^#\//, "").split("/");
    node = parts.reduce((o, k) => o[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }
  return node;
}

mkdirSync(outDir, { recursive: true });
const manifest = { source: `${pkg.name}@${pkg.version} generated/api.github.com.json`, fixtures: {} };
for (const [file, [method, path, status, exampleName]] of Object.entries(wanted)) {
  const op = spec.paths[path]?.[method];
  const response = resolve(op?.responses?.[status]);
  let example = resolve(response?.content?.["application/json"]?.examples?.[exampleName]);
  // Some inline examples point at a shared one: {"value": {"$ref": "#/components/examples/issue"}}.
  if (example?.value?.$ref) {
    example = resolve(example.value);
  }
  if (!example || example.value === undefined) {
    console.error(`missing example: ${method.toUpperCase()} ${path} ${status} ${exampleName}`);
    process.exit(1);
  }
  writeFileSync(join(outDir, `${file}.json`), JSON.stringify(example.value, null, 2) + "\n");
  const ref = op.responses[status].content?.["application/json"]?.examples?.[exampleName]?.$ref ?? "inline";
  manifest.fixtures[file] = { method: method.toUpperCase(), path, status: Number(status), example: exampleName, ref };
}
writeFileSync(join(outDir, "_manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`wrote ${Object.keys(wanted).length} fixtures from ${manifest.source} to ${outDir}`);
