import type { RequestKind } from "../requests/model";
import type { PeriodName } from "./periods";
import type { ProcessingCategory, PublishedPolicy } from "./published";

/**
 * The published policy in Hindi (DPDP Act 2023 s.5(3): the notice in a language of the Eighth Schedule),
 * the same document as published.ts with every label and description translated. Written here, beside the
 * English, so the privacy center renders it and never keeps a copy of its own. Typed by key (periods,
 * request kinds, processing categories): a new period or kind without its Hindi fails to compile. The
 * `basis` of each item is a legal citation and stays as written (names of Acts, Rules and sections), as do
 * field names of the API, addresses and ISO 8601 durations.
 *
 * Grammar as in ../notices/hi.ts: plain, everyday Hindi; an institution's English name given once in
 * brackets so the person can find it.
 */

const PERIOD_LABELS: Record<PeriodName, string> = {
  accessResponse: "जानकारी पाने (आपके डेटा का सारांश और एक्सपोर्ट) के अनुरोध का जवाब",
  correctionResponse: "सुधार के अनुरोध का जवाब",
  erasureCompletion: "पुष्टि के बाद डेटा मिटाने का काम पूरा",
  nominationResponse: "नॉमिनी (नामित व्यक्ति) दर्ज",
  consentWithdrawalResponse: "सहमति वापस लेने के बाद प्रोसेसिंग बंद",
  extensionCeiling: "बढ़ाई गई कोई भी समय-सीमा अनुरोध मिलने से इससे आगे नहीं जा सकती",
  grievanceAcknowledgement: "शिकायत मिलने की पुष्टि",
  grievanceResolution: "शिकायत का समाधान",
  spdiGrievanceResolution: "SPDI नियम 2011 के तहत शिकायत का निवारण",
  accountRetentionWindow:
    "खाता निष्क्रिय होने के बाद उसका डेटा बिना छुए रखा जाता है (खाता फिर से चालू हो सकता है), फिर मिटा दिया जाता है",
  verificationCodeValidity: "एक बार का पुष्टि कोड इतनी देर मान्य",
  verificationLockout: "5 गलत कोड के बाद पुष्टि इतनी देर के लिए बंद",
  verificationResendWindow: "इस अवधि में ज़्यादा से ज़्यादा 3 नए कोड भेजे जाते हैं",
  verificationReminder: "अनुरोध की पुष्टि न होने पर एक याद-दिलाने वाला संदेश",
  verificationExpiry: "जिस अनुरोध की पुष्टि नहीं हुई, वह बंद (कुछ नहीं बदला), सूचना के साथ",
  usageRecords: "उपयोग के लॉग रखे जाते हैं, फिर मिटाए या अनाम किए जाते हैं",
  securityLogs: "सुरक्षा और एक्सेस लॉग रखे जाते हैं (डेटा मिटाने के बाद भी)",
  processingLogs: "प्रोसेसिंग के लॉग (अनुरोध का ऑडिट रिकॉर्ड) प्रोसेसिंग से इतने समय रखे जाते हैं (डेटा मिटाने के बाद भी)",
  paymentRecords: "भुगतान और टैक्स के रिकॉर्ड, अनाम करके, रखे जाते हैं (डेटा मिटाने के बाद भी)",
  backupRotation:
    "हर एन्क्रिप्टेड बैकअप सेट रखा जाता है, फिर हटा (मिटा) दिया जाता है: मिटाया गया डेटा इतने समय में हर बैकअप से निकल जाता है",
  exportExpiry: "जानकारी का एक्सपोर्ट डाउनलोड के लिए रखा जाता है, फिर मिटा दिया जाता है",
  exportLinkValidity: "एक्सपोर्ट का डाउनलोड लिंक इतनी देर मान्य",
  requestContact: "अनुरोध बंद होने के बाद अनुरोधकर्ता का पता (सील किया हुआ) रखा जाता है, फिर मिटा दिया जाता है",
  correctionValues: "सुधार पूरा होने के बाद माँगे गए नए मान रखे जाते हैं (बैकअप हटने की अवधि से कभी कम नहीं)",
  grievanceTexts:
    "शिकायत बंद होने के बाद शिकायत का पाठ, स्टाफ़ का जवाब और संभालने वाले का नाम रखे जाते हैं, फिर मिटा दिए जाते हैं",
  nomineeDetails:
    "नॉमिनेशन खत्म होने (या उसका अनुरोध बिना दर्ज हुए बंद होने) के बाद नॉमिनी का विवरण रखा जाता है, फिर मिटा दिया जाता है",
  evidenceReferences: "अनुरोध बंद होने के बाद नॉमिनी के अनुरोध के प्रमाण का संदर्भ रखा जाता है, फिर मिटा दिया जाता है",
  staffNotes:
    "अनुरोध बंद होने के बाद उस पर लिखा गया पाठ (स्टाफ़ के कारण और नोट, अनुरोधकर्ता का अपना कारण, मेल का संदर्भ) रखा जाता है, फिर मिटा दिया जाता है",
  breachContacts:
    "बोर्ड को रिपोर्ट देने के बाद डेटा उल्लंघन से प्रभावित लोगों के पते (सील किए हुए) रखे जाते हैं, फिर मिटा दिए जाते हैं",
  codeNoticeTimeToLive:
    "एक बार के कोड वाली सूचना भेजने की कतार में ज़्यादा से ज़्यादा इतनी देर रहती है, फिर रद्द हो जाती है",
  noticeTimeToLive:
    "कोई और सूचना (पता और उसका पाठ) भेजने की कतार में ज़्यादा से ज़्यादा इतनी देर रहती है, फिर रद्द हो जाती है",
  breachBoardReport: "डेटा संरक्षण बोर्ड को डेटा उल्लंघन की विस्तृत रिपोर्ट",
  breachCertInReport: "साइबर सुरक्षा घटना की CERT-In को रिपोर्ट",
};

const REQUEST_LABELS: Record<RequestKind, string> = {
  access: "जानकारी: आपके व्यक्तिगत डेटा और उसकी प्रोसेसिंग का सारांश, डाउनलोड होने वाले एक्सपोर्ट के रूप में",
  correction: "गलत या अधूरे व्यक्तिगत डेटा में सुधार",
  erasure: "आपका खाता, या आपके WhatsApp नंबर से जुड़ा डेटा मिटाना",
  nomination: "मृत्यु या अक्षमता की स्थिति में आपके अधिकारों का उपयोग करने के लिए एक व्यक्ति को नामित करना",
  grievance: "हमारे शिकायत अधिकारी को शिकायत",
  consent_withdrawal: "सहमति वापस लेना",
};

const PROCESSING: Record<ProcessingCategory, { label: string; data: string; purpose: string }> = {
  account: {
    label: "खाते की जानकारी",
    data: "पूरा नाम, ईमेल पता, फ़ोन नंबर (वैकल्पिक), संगठन का नाम, भूमिका, साइन-इन की पहचान",
    purpose: "खाता बनाना, साइन-इन, खाते का प्रबंधन, सहायता और बिलिंग के लिए संपर्क",
  },
  usage: {
    label: "उपयोग का डेटा",
    data: "API कॉल का विवरण, बातचीत का विवरण (समय, चैनल, अवधि), क्रेडिट लेन-देन, डैशबोर्ड गतिविधि, IP पता, डिवाइस/ब्राउज़र की जानकारी",
    purpose: "सेवा देना, बिलिंग, धोखाधड़ी रोकना, दर सीमा, सुरक्षा निगरानी और उत्पाद सुधार (जहाँ संभव हो, समेकित/अनाम)",
  },
  communication: {
    label: "बातचीत की सामग्री",
    data: "व्यवसाय अपने ग्राहकों के लिए जो AI एजेंट चलाते हैं, उनमें प्रोसेस होने वाले संदेश, ऑडियो, ट्रांसक्रिप्शन और फ़ाइलें",
    purpose:
      "व्यवसाय द्वारा चुनी गई चैट, वॉइस और ऑटोमेशन सुविधाएँ देना। यह सामग्री व्यवसाय के अलग हिस्से में रखी जाती है, कभी दूसरे व्यवसायों से साझा नहीं होती, कभी किसी तीसरे पक्ष के AI मॉडल को सिखाने में इस्तेमाल नहीं होती और कभी बेची नहीं जाती",
  },
  payment: {
    label: "भुगतान की जानकारी",
    data: "बिलिंग नाम, ईमेल, फ़ोन (रसीद के लिए), लेन-देन और ऑर्डर के संदर्भ, भुगतान की स्थिति, राशि",
    purpose:
      "भुगतान करना और कानून के अनुसार वित्तीय रिकॉर्ड रखना। कार्ड नंबर, CVV, UPI PIN और बैंक की पूरी जानकारी CallMissed के सर्वर पर नहीं रखी जाती",
  },
};

/** Every other English sentence of the document, and its Hindi. A sentence missing here fails the e2e test. */
const PHRASES: Record<string, string> = {
  "Grievance Officer and Data Protection Officer": "शिकायत अधिकारी और डेटा संरक्षण अधिकारी",
  "Signed in to the CallMissed dashboard, for your own account":
    "CallMissed डैशबोर्ड में साइन इन करके, अपने खाते के लिए",
  "Without an account (for example, for data linked to your WhatsApp number): the privacy center, or this API. The answer carries a requestToken, shown once, to follow the request (header X-Request-Token).":
    "बिना खाते के (जैसे, आपके WhatsApp नंबर से जुड़े डेटा के लिए): निजता केंद्र (प्राइवेसी सेंटर) का पेज, या यह API। जवाब में एक requestToken होता है, जो सिर्फ़ एक बार दिखता है, जिससे आप अनुरोध की स्थिति देख सकते हैं (हेडर X-Request-Token)।",
  "By email to our Grievance Officer, who enters the request for you":
    "हमारे शिकायत अधिकारी को ईमेल करके, जो आपके लिए अनुरोध दर्ज करेंगे",
  "the account owner": "खाते के मालिक",
  "any member of the account": "खाते का कोई भी सदस्य",
  "your dashboard sign-in": "आपका डैशबोर्ड साइन-इन",
  "your complaint": "आपकी शिकायत",
  "an email address or phone number to answer you on": "ईमेल पता या फ़ोन नंबर, जिस पर हम आपको जवाब दें",
  "what you ask for": "आप क्या माँग रहे हैं",
  "for an account: your account email and organisation name, written from the account's registered email address":
    "खाते के लिए: आपके खाते का ईमेल और संगठन का नाम, खाते के पंजीकृत ईमेल पते से लिखा हुआ",
  "for a WhatsApp number: the number with its country code": "WhatsApp नंबर के लिए: देश के कोड के साथ नंबर",
  anyone: "कोई भी",
  "the account owner, or the person whose WhatsApp number it is":
    "खाते के मालिक, या वह व्यक्ति जिसका यह WhatsApp नंबर है",
  "none needed to raise a grievance": "शिकायत करने के लिए कोई पुष्टि ज़रूरी नहीं",
  "contact.email or contact.phone": "contact.email या contact.phone (जवाब के लिए आपका ईमेल या फ़ोन)",
  "details.summary": "details.summary (आपकी शिकायत)",
  "scope.phone (the WhatsApp number with its country code)": "scope.phone (देश के कोड के साथ WhatsApp नंबर)",
  "the person whose WhatsApp number it is": "वह व्यक्ति जिसका यह WhatsApp नंबर है",
  "a one-time code sent to that WhatsApp number": "उस WhatsApp नंबर पर भेजा गया एक बार का कोड",
  "scope.tenantId": "scope.tenantId (आपके खाते की पहचान)",
  "contact.email (the account's registered email address)": "contact.email (खाते का पंजीकृत ईमेल पता)",
  "a one-time code sent to the account's registered email address":
    "खाते के पंजीकृत ईमेल पते पर भेजा गया एक बार का कोड",
  "Data Protection Board of India": "भारतीय डेटा संरक्षण बोर्ड (Data Protection Board of India)",
  "after our Grievance Officer has answered (or has not answered within the period above) and you are not satisfied":
    "जब हमारे शिकायत अधिकारी जवाब दे चुके हों (या ऊपर दी गई अवधि में जवाब न दिया हो) और आप संतुष्ट न हों",
  "Ordinarily stored and processed in India (Microsoft Azure, Central India); encrypted backups kept in India":
    "सामान्य रूप से भारत में रखा और प्रोसेस किया जाता है (Microsoft Azure, मध्य भारत); एन्क्रिप्टेड बैकअप भारत में रखे जाते हैं",
};

/** The Hindi of an English sentence of the document: a written-out one (the verification by email names the mailbox). */
function phrase(en: string, dpoContact: string): string {
  const known = PHRASES[en];
  if (known !== undefined) return known;
  const byEmail = `a reply from the account's registered email address, or a one-time code sent to the WhatsApp number (write to ${dpoContact})`;
  if (en === byEmail)
    return `खाते के पंजीकृत ईमेल पते से जवाब, या WhatsApp नंबर पर भेजा गया एक बार का कोड (${dpoContact} पर लिखें)`;
  return en;
}

/** The English document, every label and description in Hindi; structure, values and citations unchanged. */
export function inHindi(en: PublishedPolicy, dpoContact: string): PublishedPolicy {
  const t = (s: string) => phrase(s, dpoContact);
  return {
    ...en,
    grievanceOfficer: { ...en.grievanceOfficer, role: t(en.grievanceOfficer.role) },
    channels: en.channels.map((c) => ({ ...c, description: t(c.description) })),
    requests: en.requests.map((r) => ({
      ...r,
      label: REQUEST_LABELS[r.kind],
      identifiers: r.identifiers.map((i) => ({
        ...i,
        provide: i.provide.map(t),
        who: t(i.who),
        verification: t(i.verification),
      })),
    })),
    periods: en.periods.map((p) => ({ ...p, label: PERIOD_LABELS[p.name] })),
    processing: {
      residency: t(en.processing.residency),
      categories: en.processing.categories.map((c) => ({ ...c, ...PROCESSING[c.category] })),
    },
    escalation: { ...en.escalation, to: t(en.escalation.to), when: t(en.escalation.when) },
  };
}
