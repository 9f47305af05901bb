/** Cloud provider credentials: AWS access key ids and secret access keys. */
import { AWS_SECRET_ANCHORS, type Detection } from '../detection.ts';
import { isPlaceholder, looksRandom } from '../text.ts';
import { type Detector, token } from './shared.ts';

// ---------------------------------------------------------------------------------------------
// AWS: access key IDs are a 4-letter type prefix + 16 base32 characters (`AKIA` long-term user key,
// `ASIA` STS temporary key, `ABIA` / `ACCA` service-specific). Secret access keys are 40 base64
// characters with no prefix, so only a value assigned to an `aws_secret_access_key`-like name counts.

const AWS_KEY_ID = /(?<![A-Za-z0-9])(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET =
  /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s{0,8}(?:=>|[:=]|\s)\s{0,8}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi;
const AWS_DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export const awsAccessKeyId: Detector = {
  id: 'aws-access-key-id',
  anchors: { literals: ['AKIA', 'ASIA', 'ABIA', 'ACCA'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(AWS_KEY_ID)) {
      if (isPlaceholder(match[0]) || !looksRandom(match[0].slice(4), 2.5)) continue;
      const temporary = match[1] === 'ASIA';
      found.push(
        token('aws-access-key-id', match.index, match[0], {
          kind: temporary ? 'temporary-access-key-id' : 'access-key-id',
          prefix: match[1] as string,
          confidence: 'high',
        }),
      );
    }
    return found;
  },
};

export const awsSecretAccessKey: Detector = {
  id: 'aws-secret-access-key',
  anchors: { literals: AWS_SECRET_ANCHORS },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(AWS_SECRET)) {
      const secret = match[1] as string;
      const [start] = match.indices?.[1] ?? [0];
      if (secret === AWS_DOC_SECRET || !/[A-Z]/.test(secret) || !/[a-z]/.test(secret)) continue;
      if (!looksRandom(secret, 3.5)) continue;
      found.push(
        token('aws-secret-access-key', start, secret, { kind: 'secret-access-key', prefix: '', confidence: 'high' }),
      );
    }
    return found;
  },
};
