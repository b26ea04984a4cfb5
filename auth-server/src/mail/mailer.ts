import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@vectorauth/shared';
import nodemailer, { type Transporter } from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** The one link the mail is about; logged in development so a person can follow it. */
  link?: string;
}

export interface Mailer {
  /** Queues the mail and returns at once: sending never happens on the request path. */
  send(mail: Mail): void;
  /** Resolves when every queued mail has been handed over (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * nodemailer to `SMTP_URL`; without it, each mail becomes an .eml file in `DATA_DIR/outbox` and
 * a log line with its link. Failures are logged and never reach the person who asked.
 */
export function createMailer(deps: {
  smtpUrl?: string;
  from: string;
  dataDir: string;
  logger: Logger;
}): Mailer {
  const { logger } = deps;
  const outbox = join(deps.dataDir, 'outbox');
  const transport: Transporter = deps.smtpUrl
    ? nodemailer.createTransport(deps.smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let chain: Promise<void> = Promise.resolve();

  async function deliver(mail: Mail): Promise<void> {
    const info = await transport.sendMail({
      from: deps.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    });
    if (!deps.smtpUrl) {
      mkdirSync(outbox, { recursive: true });
      const file = join(outbox, `${Date.now()}-${info.messageId.replace(/[^A-Za-z0-9.@-]/g, '')}.eml`);
      writeFileSync(file, (info as unknown as { message: Buffer }).message);
      logger.info({ file, link: mail.link }, `mail "${mail.subject}" written to the outbox`);
    }
  }

  return {
    send(mail) {
      chain = chain
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)).then(() => deliver(mail)))
        .catch((err: unknown) => logger.error({ err, subject: mail.subject }, 'sending mail failed'));
    },
    idle: () => chain,
  };
}
