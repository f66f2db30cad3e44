/**
 * The osls plugin that packages every function (serverless.yml `plugins`): one ESM bundle per function with
 * its own chunks only (scripts/lambda-bundle.mjs), zipped to .serverless/<function>.zip and set as the
 * function's artifact, its handler pointed at the bundle's entry. serverless-esbuild, which did this before,
 * put every function's chunks in every zip once code is split.
 *
 * Before a zip is used, each bundle is imported in a fresh Node process and must export its handler: a
 * bundle that cannot load (an ESM/CommonJS mismatch, a missing built-in) fails the package, not the deploy.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunction, handlerOf, staticBytes, zipBundle } from './lambda-bundle.mjs';

const STACK_RESOURCE_LIMIT = 500;

export default class LambdaBundles {
  constructor(serverless, options, { log }) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.packageFunctions(Object.keys(serverless.service.functions ?? {})),
      'before:deploy:function:packageFunction': () => this.packageFunctions([options.function]),
      'before:package:finalize': () => this.checkStackLimits(),
    };
  }

  /** CloudFormation refuses a stack of more than 500 resources at deploy time; say so at package time instead. */
  checkStackLimits() {
    const resources = Object.keys(this.serverless.service.provider.compiledCloudFormationTemplate.Resources ?? {}).length;
    if (resources > STACK_RESOURCE_LIMIT) {
      throw new Error(`The stack has ${resources} resources; CloudFormation allows ${STACK_RESOURCE_LIMIT}. Serve new routes from their area's function (functions/areas/).`);
    }
    this.log.notice(`Stack: ${resources} of CloudFormation's ${STACK_RESOURCE_LIMIT} resources`);
  }

  async packageFunctions(names) {
    const root = this.serverless.serviceDir;
    const out = join(root, '.serverless');
    const started = Date.now();
    const bundles = [];
    // esbuild runs its own threads: a few functions at a time keeps a 2-core machine responsive.
    const queue = [...names];
    const worker = async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const fn = this.serverless.service.getFunction(name);
        if (!fn.handler) continue;
        const dir = join(out, 'bundles', name);
        const { entryFile, exportName, metafile } = await bundleFunction({ root, handler: fn.handler, outDir: dir });
        bundles.push({ name, fn, dir, entryFile, exportName, metafile });
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    verifyLoads(bundles);
    for (const bundle of bundles) {
      const artifact = join(out, `${bundle.name}.zip`);
      const bytes = zipBundle(bundle.dir, artifact);
      bundle.fn.handler = handlerOf(bundle.exportName);
      bundle.fn.package = { ...(bundle.fn.package ?? {}), artifact };
      this.log.verbose(`${bundle.name}: zip ${(bytes / 1024).toFixed(0)} KB, loads ${(staticBytes(bundle.metafile) / 1024).toFixed(0)} KB at a cold start`);
    }
    this.log.notice(`Bundled ${bundles.length} functions (ESM, split per function) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Imports every bundle in one fresh Node process (Lambda's ESM loader, no TypeScript): each must export its handler. */
function verifyLoads(bundles) {
  const checks = bundles.map(({ name, entryFile, exportName }) => ({ name, url: pathToFileURL(entryFile).href, exportName }));
  const script = `const checks = ${JSON.stringify(checks)};
for (const { name, url, exportName } of checks) {
  const module = await import(url);
  if (typeof module[exportName] !== 'function') throw new Error(name + ': the bundle exports no function ' + exportName);
}`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
}
