import { z } from "zod";
import { sha256 } from "../crypto";

/**
 * The one list of purposes a person's consent is asked for (Privacy Policy §2, §7), each with a plain
 * description and the consent notice shown, per language. A grant records the notice's id, version,
 * language and the SHA-256 of the exact text shown, so what the person was told can be proved later
 * (MeitY BRD for Consent Management: "informed"). A new wording is a new version; the old text stays here
 * only as long as grants of it are in force, so the service refuses a grant of a version it no longer
 * shows.
 */
export const PURPOSES = [
  "marketing_email",
  "analytics",
  "whatsapp_messaging",
  "third_party_ai_training",
] as const;
export const Purpose = z.enum(PURPOSES);
export type Purpose = z.infer<typeof Purpose>;

export const CONSENT_LANGUAGES = ["en", "hi"] as const;
export const ConsentLanguage = z.enum(CONSENT_LANGUAGES);
export type ConsentLanguage = z.infer<typeof ConsentLanguage>;

export interface PurposeDefinition {
  /** Plain words for a list or a receipt. */
  label: Record<ConsentLanguage, string>;
  description: Record<ConsentLanguage, string>;
  /** The consent notice in force: what the person reads before they agree. */
  notice: { id: string; version: number; text: Record<ConsentLanguage, string> };
  /** ISO 8601 duration after which a grant lapses and must be renewed; none: until withdrawn. */
  validity?: string;
  /**
   * Only the principal may grant it, themselves: the account's owner for the account, the person
   * (through a consent manager) for a number. Never a business on a person's behalf, never staff, never
   * in bulk, never by default (Privacy Policy §1: content is never used to train third-party AI models
   * unless the person says so).
   */
  principalOnly: boolean;
}

export const PURPOSE_DEFINITIONS: Record<Purpose, PurposeDefinition> = {
  marketing_email: {
    label: { en: "marketing emails", hi: "मार्केटिंग ईमेल" },
    description: {
      en: "Emails about CallMissed products and offers. Transactional emails (OTP, receipts, security alerts) are sent without it.",
      hi: "CallMissed के उत्पादों और ऑफ़र के बारे में ईमेल। लेन-देन वाले ईमेल (OTP, रसीद, सुरक्षा सूचना) इसके बिना भी भेजे जाते हैं।",
    },
    notice: {
      id: "notice-marketing-email",
      version: 1,
      text: {
        en: "Send me emails about CallMissed products and offers. I can withdraw this at any time in account settings or by contacting CallMissed.",
        hi: "मुझे CallMissed के उत्पादों और ऑफ़र के बारे में ईमेल भेजें। मैं इसे किसी भी समय खाता सेटिंग में या CallMissed से संपर्क करके वापस ले सकता/सकती हूँ।",
      },
    },
    validity: "P1Y",
    principalOnly: false,
  },
  analytics: {
    label: { en: "analytics", hi: "विश्लेषण" },
    description: {
      en: "Measuring how the product is used, to improve it (aggregated and anonymised where possible).",
      hi: "उत्पाद का उपयोग कैसे होता है, यह मापना ताकि उसे बेहतर बनाया जा सके (जहाँ संभव हो, समेकित और अनाम)।",
    },
    notice: {
      id: "notice-analytics",
      version: 1,
      text: {
        en: "Let CallMissed measure how I use the product to improve it. I can withdraw this at any time.",
        hi: "CallMissed को उत्पाद सुधारने के लिए मेरे उपयोग को मापने दें। मैं इसे किसी भी समय वापस ले सकता/सकती हूँ।",
      },
    },
    principalOnly: false,
  },
  whatsapp_messaging: {
    label: { en: "WhatsApp messaging", hi: "WhatsApp संदेश" },
    description: {
      en: "A business using CallMissed messaging you on WhatsApp, and keeping those conversations.",
      hi: "CallMissed का उपयोग करने वाला व्यवसाय आपको WhatsApp पर संदेश भेजे और वे बातचीत रखे।",
    },
    notice: {
      id: "notice-whatsapp-messaging",
      version: 1,
      text: {
        en: "This business may message me on WhatsApp through CallMissed and keep our conversations. Reply STOP or use the link in any message to withdraw.",
        hi: "यह व्यवसाय CallMissed के माध्यम से मुझे WhatsApp पर संदेश भेज सकता है और हमारी बातचीत रख सकता है। वापस लेने के लिए STOP लिखें या किसी भी संदेश का लिंक उपयोग करें।",
      },
    },
    validity: "P1Y",
    principalOnly: false,
  },
  third_party_ai_training: {
    label: { en: "training third-party AI models", hi: "तृतीय-पक्ष AI मॉडल का प्रशिक्षण" },
    description: {
      en: "Using your conversations to train AI models of other companies. Never done without your own explicit consent.",
      hi: "आपकी बातचीत का उपयोग अन्य कंपनियों के AI मॉडल को प्रशिक्षित करने के लिए। आपकी अपनी स्पष्ट सहमति के बिना कभी नहीं।",
    },
    notice: {
      id: "notice-third-party-ai-training",
      version: 1,
      text: {
        en: "Allow my conversations to be used to train AI models of third parties. This is optional, off unless I turn it on, and I can withdraw it at any time.",
        hi: "मेरी बातचीत का उपयोग तृतीय पक्षों के AI मॉडल को प्रशिक्षित करने के लिए करने दें। यह वैकल्पिक है, मेरे चालू किए बिना बंद है, और मैं इसे किसी भी समय वापस ले सकता/सकती हूँ।",
      },
    },
    validity: "P6M",
    principalOnly: true,
  },
};

/** What a grant records of the notice shown: the service computes the hash from the text it holds. */
export interface NoticeShown {
  id: string;
  version: number;
  language: ConsentLanguage;
  sha256: string;
}

/**
 * The notice in force for `purpose`, as shown in `language`, or why the one named is not it (the caller
 * showed an older or another purpose's notice: the grant would not prove what the person read).
 */
export function noticeShown(
  purpose: Purpose,
  named: { id: string; version: number; language: ConsentLanguage },
): NoticeShown | { problem: string } {
  const notice = PURPOSE_DEFINITIONS[purpose].notice;
  if (named.id !== notice.id) return { problem: `not the notice of ${purpose}: ${notice.id}` };
  if (named.version !== notice.version)
    return { problem: `version ${notice.version} is the notice in force; show it and ask again` };
  return { ...named, sha256: sha256(notice.text[named.language]) };
}

/** The notices in force, for a dashboard or a consent manager to show (and hash) exactly. */
export const noticesInForce = () =>
  PURPOSES.map((purpose) => {
    const d = PURPOSE_DEFINITIONS[purpose];
    return {
      purpose,
      label: d.label,
      description: d.description,
      notice: {
        id: d.notice.id,
        version: d.notice.version,
        text: d.notice.text,
        sha256: Object.fromEntries(CONSENT_LANGUAGES.map((l) => [l, sha256(d.notice.text[l])])),
      },
      ...(d.validity ? { validity: d.validity } : {}),
      principalOnly: d.principalOnly,
    };
  });
