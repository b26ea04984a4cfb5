import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mail } from './mailer.ts';

/** A mail as the development mail box shows it: decoded, as it was written. */
export interface OutboxMail {
  id: string;
  at: Date;
  to: string;
  subject: string;
  text: string;
}

/**
 * Where mails go when no SMTP_URL is set (development): each one as the .eml nodemailer built and,
 * beside it, what it said before encoding (`.json`), which `/dev/mail` lists without decoding
 * quoted-printable or MIME.
 */
export interface Outbox {
  readonly dir: string;
  /** Writes one mail; returns the .eml file's path. */
  write(mail: Mail, eml: Buffer, messageId: string): string;
  /** The newest `limit` mails, newest first. */
  list(limit: number): OutboxMail[];
}

const SAFE_ID = /[^A-Za-z0-9.@-]/g;

export function createOutbox(dataDir: string): Outbox {
  const dir = join(dataDir, 'outbox');
  return {
    dir,
    write(mail, eml, messageId) {
      mkdirSync(dir, { recursive: true });
      const at = new Date();
      const id = `${at.getTime()}-${messageId.replace(SAFE_ID, '')}`;
      const file = join(dir, `${id}.eml`);
      writeFileSync(file, eml);
      const shown: OutboxMail = { id, at, to: mail.to, subject: mail.subject, text: mail.text };
      writeFileSync(join(dir, `${id}.json`), JSON.stringify(shown));
      return file;
    },
    list(limit) {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.json'));
      } catch {
        return []; // nothing written yet
      }
      // Names start with the time in milliseconds: newest first by name length, then by name.
      names.sort((a, b) => b.length - a.length || (a < b ? 1 : a > b ? -1 : 0));
      const mails: OutboxMail[] = [];
      for (const name of names.slice(0, limit)) {
        try {
          const raw = JSON.parse(readFileSync(join(dir, name), 'utf8')) as OutboxMail;
          mails.push({ ...raw, at: new Date(raw.at) });
        } catch {
          // A file being written or not ours: skipped.
        }
      }
      return mails;
    },
  };
}
