import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { loadAuthServerConfig } from '../../../../auth-server/src/config.ts';
import { loadVectorApiConfig } from '../../../../vector-api/src/config.ts';

const DIR = resolve(import.meta.dirname, '../../../../infra/k8s');

/** The Kubernetes model (its OpenAPI schema's validator) of each kind the manifests use. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document, checked by its model first
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const manifests: { file: string; doc: Manifest }[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(resolve(DIR, file), 'utf8')).map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]?.message}`);
      return { file, doc: d.toJS() as Manifest };
    }),
  );
const all = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const SECRETS = [
  'MASTER_KEY',
  'ADMIN_TOKEN',
  'COOKIE_KEYS',
  'DATABASE_URL',
  'VECTOR_DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
];

/** The environment a container gets: its ConfigMap and Secret (placeholders made valid), then its env. */
function containerEnv(container: {
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}): Record<string, string> {
  const secret = all('Secret')[0]?.stringData ?? {};
  const valid: Record<string, string> = {
    ...secret,
    MASTER_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: randomBytes(32).toString('base64url'),
    COOKIE_KEYS: randomBytes(32).toString('base64url'),
  };
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, all('ConfigMap')[0]?.data);
    if (from.secretRef) Object.assign(env, valid);
  }
  for (const { name, value, valueFrom } of container.env ?? []) {
    const key = valueFrom?.secretKeyRef?.key;
    env[name] = key ? (valid[key] as string) : (value as string);
  }
  return env;
}

describe('infra/k8s manifests', () => {
  it('are each valid against the Kubernetes schema of their kind', () => {
    expect(manifests.length).to.be.greaterThan(8);
    for (const { file, doc } of manifests) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `${file}: ${doc.apiVersion} ${doc.kind} has a model`).to.not.equal(undefined);
      expect(
        () => new (Model as NonNullable<typeof Model>)(doc as never).validate(),
        `${file} ${doc.kind}`,
      ).not.to.throw();
    }
  });

  it('give each Deployment probes on /healthz and /readyz, a graceful stop, a disruption budget and an autoscaler', () => {
    const deployments = all('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).to.deep.equal(['auth-server', 'vector-api']);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const [container] = pod.containers;
      expect(container.livenessProbe.httpGet.path).to.equal('/healthz');
      expect(container.startupProbe.httpGet.path).to.equal('/healthz');
      expect(container.readinessProbe.httpGet.path).to.equal('/readyz');
      // The endpoints drop the pod during preStop, then the service drains (8 s) and closes.
      expect(pod.terminationGracePeriodSeconds).to.be.at.least(
        container.lifecycle.preStop.sleep.seconds + 8 + 5,
      );
      expect(d.spec.strategy.rollingUpdate.maxUnavailable).to.equal(0);
      const labels = d.spec.selector.matchLabels;
      expect(
        all('PodDisruptionBudget').some(
          (p) => JSON.stringify(p.spec.selector.matchLabels) === JSON.stringify(labels),
        ),
      ).to.equal(true);
      expect(
        all('HorizontalPodAutoscaler').some((h) => h.spec.scaleTargetRef.name === d.metadata.name),
      ).to.equal(true);
      expect(all('Service').some((s) => JSON.stringify(s.spec.selector) === JSON.stringify(labels))).to.equal(
        true,
      );
      expect(container.securityContext).to.include({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      expect(pod.securityContext.runAsNonRoot).to.equal(true);
    }
  });

  it('take every secret from the Secret, never from a literal or the ConfigMap', () => {
    const config = all('ConfigMap')[0]?.data ?? {};
    for (const name of SECRETS) expect(config, name).not.to.have.property(name);
    const secretKeys = Object.keys(all('Secret')[0]?.stringData ?? {});
    for (const doc of [...all('Deployment'), ...all('Job')]) {
      for (const container of doc.spec.template.spec.containers) {
        for (const env of container.env ?? []) {
          if (SECRETS.includes(env.name)) {
            expect(env.value, `${doc.metadata.name} ${env.name}`).to.equal(undefined);
            expect(secretKeys).to.include(env.valueFrom.secretKeyRef.key);
          }
        }
      }
    }
  });

  it('never expose the admin port: bound to the pod’s loopback, in no Service and no container port', () => {
    const auth = all('Deployment').find((d) => d.metadata.name === 'auth-server');
    if (!auth) throw new Error('no auth-server Deployment');
    const [container] = auth.spec.template.spec.containers;
    expect(containerEnv(container).ADMIN_HOST).to.equal('127.0.0.1');
    const adminPort = Number(containerEnv(container).ADMIN_PORT);
    for (const d of all('Deployment'))
      for (const c of d.spec.template.spec.containers)
        expect((c.ports ?? []).map((p: { containerPort: number }) => p.containerPort)).not.to.include(
          adminPort,
        );
    for (const s of all('Service'))
      expect(s.spec.ports.map((p: { port: number }) => p.port)).not.to.include(adminPort);
  });

  it('configure each service as its own production configuration accepts', () => {
    const byName = Object.fromEntries(
      all('Deployment').map((d) => [d.metadata.name, d.spec.template.spec.containers[0]]),
    );
    const auth = loadAuthServerConfig(containerEnv(byName['auth-server']));
    expect(auth.nodeEnv).to.equal('production');
    expect(auth.admin.host).to.equal('127.0.0.1');
    const vector = loadVectorApiConfig(containerEnv(byName['vector-api']));
    expect(vector.apiUrl).to.equal('https://vectors.example.com');
    const migrate = all('Job')[0]?.spec.template.spec.containers[0];
    loadAuthServerConfig(containerEnv(migrate));
    loadVectorApiConfig(containerEnv(migrate));
  });
});
