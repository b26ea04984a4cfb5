import type { Logger } from '@vectorauth/shared';
import nodemailer, { type Transporter } from 'nodemailer';
import { createOutbox, type Outbox } from './outbox.ts';

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
 * nodemailer to `SMTP_URL`; without it, each mail goes to the outbox (`DATA_DIR/outbox`, listed
 * at `/dev/mail` in development) with a log line with its link. Failures are logged and never
 * reach the person who asked.
 */
export function createMailer(deps: {
  smtpUrl?: string;
  from: string;
  dataDir: string;
  logger: Logger;
  /** Where mails go without SMTP_URL (default: DATA_DIR/outbox). */
  outbox?: Outbox;
}): Mailer {
  const { logger } = deps;
  const outbox = deps.outbox ?? createOutbox(deps.dataDir);
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
      const file = outbox.write(mail, (info as unknown as { message: Buffer }).message, info.messageId);
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
