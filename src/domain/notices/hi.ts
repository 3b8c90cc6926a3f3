import type { LanguagePack, NoticeParts } from "./types";

/**
 * हिंदी सूचनाएँ (Hindi notices, DPDP Act 2023 s.5(3)): plain, everyday Hindi in Devanagari. English
 * names of institutions are given once in brackets so the person can find them.
 *
 * Grammar the sentences rely on: a request (अनुरोध) is masculine, a grievance (शिकायत) feminine, and
 * before a postposition (की, का, के) "आपका अनुरोध" takes its oblique form "आपके अनुरोध".
 */

const PURPOSE: Record<string, string> = {
  access: "व्यक्तिगत डेटा की जानकारी पाने",
  correction: "व्यक्तिगत डेटा में सुधार",
  erasure: "व्यक्तिगत डेटा मिटाने",
  nomination: "नॉमिनी (नामित व्यक्ति) तय करने",
  consent_withdrawal: "सहमति वापस लेने",
};

const STATUS: Record<string, string> = {
  pending_verification: "आपकी पुष्टि की प्रतीक्षा में",
  verified: "पुष्टि हो गई",
  in_progress: "कार्रवाई जारी है",
  deactivated: "खाता निष्क्रिय कर दिया गया",
  on_hold: "कुछ समय के लिए रोका गया",
  purging: "डेटा मिटाया जा रहा है",
  purged: "डेटा मिटा दिया गया",
  completed: "पूरा हो गया",
  cancelled: "रद्द कर दिया गया",
  rejected: "अस्वीकार कर दिया गया",
};

interface Phrase {
  /** "व्यक्तिगत डेटा मिटाने के लिए आपका अनुरोध" */
  direct: string;
  /** "व्यक्तिगत डेटा मिटाने के लिए आपके अनुरोध" (before की/का/के) */
  oblique: string;
  feminine: boolean;
}

function yours(kind: string): Phrase {
  if (kind === "grievance") return { direct: "आपकी शिकायत", oblique: "आपकी शिकायत", feminine: true };
  const purpose = PURPOSE[kind] ?? kind.replace(/_/g, " ");
  return {
    direct: `${purpose} के लिए आपका अनुरोध`,
    oblique: `${purpose} के लिए आपके अनुरोध`,
    feminine: false,
  };
}

const ref = (id: string) => `(संदर्भ: ${id})`;

const BOARD = "भारतीय डेटा संरक्षण बोर्ड (Data Protection Board of India) के ऑनलाइन पोर्टल पर शिकायत कर सकते हैं";
const ESCALATE = `उनके जवाब से संतुष्ट न होने पर आप ${BOARD}।`;
const NEXT = {
  rejected: `ज़रूरी जानकारी के साथ आप कभी भी नया अनुरोध कर सकते हैं। अगर आप इस फ़ैसले से सहमत नहीं हैं, तो हमारे शिकायत अधिकारी को लिखें। ${ESCALATE}`,
  grievanceDone: `अगर आप इस समाधान से संतुष्ट नहीं हैं, तो आप ${BOARD}।`,
  done: `अगर आपको लगता है कि कुछ छूट गया है या गलत है, तो हमारे शिकायत अधिकारी को लिखें। ${ESCALATE}`,
  overdueAdvice: (by: string) =>
    `अगर ${by} तक जवाब न मिले, या आप हमारे काम से संतुष्ट न हों, तो हमारे शिकायत अधिकारी को लिखें। ${ESCALATE}`,
  question: "अपने अनुरोध के बारे में कोई सवाल हो, तो हमारे शिकायत अधिकारी को लिखें।",
};

function statusNext(kind: string, status: string): string {
  switch (status) {
    case "rejected":
      return NEXT.rejected;
    case "completed":
      return kind === "grievance" ? NEXT.grievanceDone : NEXT.done;
    case "cancelled":
      return `आप कभी भी नया अनुरोध कर सकते हैं। ${NEXT.question}`;
    case "on_hold":
      return `किसी कानूनी दायित्व के कारण हमें अभी यह डेटा रखना होगा। आपका अनुरोध आगे बढ़ते ही हम आपको बताएँगे। ${NEXT.question}`;
    case "deactivated":
      return `आपका डेटा तय अवधि तक बिना किसी उपयोग के सुरक्षित रखा जाएगा, फिर हमेशा के लिए मिटा दिया जाएगा। तब तक आप खाता दोबारा चालू करने के लिए हमसे कह सकते हैं। ${NEXT.question}`;
    default:
      return NEXT.question;
  }
}

export const hi: LanguagePack = {
  code: "hi",
  name: "हिंदी",
  locale: "hi-IN",
  footer: (dpo) =>
    `अपने व्यक्तिगत डेटा से जुड़ा कोई सवाल या शिकायत हो, तो हमारे शिकायत अधिकारी एवं डेटा संरक्षण अधिकारी (CallMissed Technologies Pvt. Ltd.) को लिखें: ${dpo}`,
  templates: {
    verification_code: (n) => ({
      subject: "आपका CallMissed सत्यापन कोड",
      body: `आपका CallMissed सत्यापन कोड ${n.code} है। यह ${n.minutes} मिनट तक मान्य है। यह कोड दर्ज करके ${yours(n.kind).oblique} की पुष्टि करें।`,
      next: "अगर आपने यह अनुरोध नहीं किया है, तो इस संदेश को अनदेखा करें: कुछ नहीं होगा। यह कोड किसी के साथ साझा न करें।",
    }),
    verification_reminder: (n, h) => ({
      subject: "कृपया अपने अनुरोध की पुष्टि करें",
      body: `${yours(n.kind).direct} ${ref(n.requestId)} आपकी पुष्टि की प्रतीक्षा में है। पुष्टि होने तक हम कुछ नहीं करेंगे।`,
      next:
        "हमने जो कोड भेजा था, उसे दर्ज करें। अगर उसकी समय-सीमा निकल गई है, तो जहाँ आपने अनुरोध किया था, वहीं से नया कोड मँगाएँ। " +
        `अगर ${h.date(n.expiresAt)} तक पुष्टि नहीं हुई, तो हम बिना कुछ बदले यह अनुरोध बंद कर देंगे; आप कभी भी नया अनुरोध कर सकते हैं। ` +
        "अगर यह अनुरोध आपने नहीं किया है, तो इस संदेश को अनदेखा करें।",
    }),
    verification_expired: (n) => ({
      subject: "आपका अनुरोध बंद कर दिया गया है",
      body: `${yours(n.kind).oblique} ${ref(n.requestId)} की पुष्टि ${n.days} दिनों के भीतर नहीं हुई, इसलिए हमने इसे बंद कर दिया है। आपका कोई भी डेटा बदला या मिटाया नहीं गया है।`,
      next: `आप कभी भी नया अनुरोध कर सकते हैं। ${NEXT.question}`,
    }),
    request_received: (n, h) => {
      const p = yours(n.kind);
      return {
        subject: p.feminine ? "हमें आपकी शिकायत मिल गई है" : "हमें आपका अनुरोध मिल गया है",
        body:
          `हमें ${p.direct} ${ref(n.requestId)} ${p.feminine ? "मिल गई है" : "मिल गया है"}।` +
          (n.dueAt
            ? p.feminine
              ? ` हम ${h.date(n.dueAt)} तक इसका समाधान करेंगे।`
              : ` हम इसे ${h.date(n.dueAt)} तक पूरा करेंगे।`
            : ""),
        next:
          "आप इसकी स्थिति वहीं देख सकते हैं जहाँ आपने अनुरोध किया था। " +
          (n.dueAt
            ? NEXT.overdueAdvice(h.date(n.dueAt))
            : `अगर आप हमारे काम से संतुष्ट न हों, तो हमारे शिकायत अधिकारी को लिखें। ${ESCALATE}`),
      };
    },
    grievance_acknowledged: (n, h) => ({
      subject: "हमें आपकी शिकायत मिल गई है",
      body: `हमें आपकी शिकायत ${ref(n.requestId)} मिल गई है। हम ${h.date(n.dueAt)} तक इसका समाधान करेंगे।`,
      next: `अगर तब तक समाधान न हो, या आप हमारे जवाब से संतुष्ट न हों, तो आप ${BOARD}।`,
    }),
    request_status: (n) => ({
      subject: "आपके अनुरोध पर नई जानकारी",
      body:
        `${yours(n.kind).oblique} ${ref(n.requestId)} की नई स्थिति: ${STATUS[n.status] ?? n.status.replace(/_/g, " ")}।` +
        (n.reason ? ` कारण: ${n.reason}` : ""),
      next: statusNext(n.kind, n.status),
    }),
    request_completed: (n, h): NoticeParts => {
      const grievance = n.kind === "grievance";
      const lines = [
        grievance
          ? `हमने आपकी शिकायत ${ref(n.requestId)} का समाधान कर दिया है।`
          : `हमने ${yours(n.kind).direct} ${ref(n.requestId)} पूरा कर दिया है।`,
      ];
      if (n.availableUntil)
        lines.push(
          `आपके डेटा की कॉपी (एक्सपोर्ट) तैयार है। जहाँ आपने अनुरोध किया था, वहाँ से इसे ${h.date(n.availableUntil)} से पहले डाउनलोड कर लें।`,
        );
      if (n.retained?.length) {
        lines.push(
          "कानून के तहत हमें केवल ये रिकॉर्ड रखने होते हैं (विवरण अंग्रेज़ी में):",
          ...n.retained.map((r) => `- ${r.label} (${r.basis})`),
        );
      }
      return {
        subject: grievance ? "आपकी शिकायत का समाधान हो गया है" : "आपका अनुरोध पूरा हो गया है",
        body: lines.join("\n"),
        next: grievance ? NEXT.grievanceDone : NEXT.done,
      };
    },
    request_rejected: (n) => {
      const p = yours(n.kind);
      return {
        subject: p.feminine ? "हम आपकी शिकायत पर आगे कार्रवाई नहीं कर सकते" : "हम आपका अनुरोध पूरा नहीं कर सकते",
        body:
          (p.feminine
            ? `हम ${p.direct} ${ref(n.requestId)} पर आगे कार्रवाई नहीं कर सकते।`
            : `हम ${p.direct} ${ref(n.requestId)} पूरा नहीं कर सकते।`) + (n.reason ? ` कारण: ${n.reason}` : ""),
        next: NEXT.rejected,
      };
    },
    grievance_response: (n) => ({
      subject: "आपकी शिकायत पर हमारा जवाब",
      body: `हमारे शिकायत अधिकारी ने आपकी शिकायत ${ref(n.requestId)} पर यह जवाब दिया है:\n\n${n.message}`,
      next: "समाधान होने तक आपकी शिकायत खुली रहेगी। कुछ और बताना हो, तो इस संदेश का जवाब दें।",
    }),
    grievance_resolved: (n) => ({
      subject: "आपकी शिकायत का समाधान हो गया है",
      body: `हमने आपकी शिकायत ${ref(n.requestId)} का समाधान कर दिया है। हमारा जवाब:\n\n${n.resolution}`,
      next: `अगर आप इस समाधान से संतुष्ट नहीं हैं, तो आप ${BOARD}।`,
    }),
    nomination_revoked: (n) => ({
      subject: "आपका नॉमिनेशन वापस ले लिया गया है",
      body: `आपके कहने पर हमने आपका नॉमिनेशन ${ref(n.requestId)} वापस ले लिया है। जिस व्यक्ति को आपने नामित किया था, वह अब आपकी ओर से आपके अधिकारों का उपयोग नहीं कर सकता।`,
      next: `आप कभी भी फिर से किसी को नामित कर सकते हैं। ${NEXT.question}`,
    }),
    breach_notice: (n, h) => ({
      subject: "ज़रूरी सूचना: आपके व्यक्तिगत डेटा से जुड़ी एक सुरक्षा घटना",
      body: [
        `${h.date(n.discoveredAt)} को हमें एक सुरक्षा घटना (व्यक्तिगत डेटा का उल्लंघन) का पता चला, जिसका असर आपके उस व्यक्तिगत डेटा पर पड़ा है जो हमारे पास है (संदर्भ: ${n.breachId})। नीचे दिया गया विवरण अंग्रेज़ी में है।`,
        `क्या हुआ: ${n.nature}`,
        `इसका आप पर क्या असर हो सकता है: ${n.consequences}`,
        `हमने क्या किया है: ${n.measures}`,
        `अपनी सुरक्षा के लिए आप क्या कर सकते हैं: ${n.safetySteps}`,
      ].join("\n\n"),
      next: `हमें खेद है। कोई सवाल हो, या आपको लगे कि आप पर ऐसा असर पड़ा है जो यहाँ नहीं लिखा है, तो हमारे शिकायत अधिकारी को लिखें। ${ESCALATE}`,
    }),
  },
};
