import type { LanguagePack, NoticeHelpers, NoticeParts } from "./types";

/**
 * हिंदी सूचनाएँ (Hindi notices, DPDP Act 2023 s.5(3)): plain, everyday Hindi in Devanagari. English
 * names of institutions are given once in brackets so the person can find them. Reviewed line by line
 * in docs/reviews/hindi-notices-2026-11-30.md (items H1–N8 there; what was done: docs/notices.md).
 *
 * Grammar the sentences rely on: a request (अनुरोध) is masculine, a grievance (शिकायत) feminine, and
 * before a postposition (की, का, के) "आपका अनुरोध" takes its oblique form "आपके अनुरोध". When आप is the
 * subject of the sentence (an imperative), the possessive is the reflexive अपना/अपने/अपनी (M1); after
 * "हमें…" it stays आपका, or it would read as "our". Status labels are written to agree with both (M2).
 * Terms: नॉमिनी and नामांकन for nominee and nomination, everywhere (L7).
 */

const PURPOSE: Record<string, string> = {
  access: "व्यक्तिगत डेटा की जानकारी पाने",
  correction: "व्यक्तिगत डेटा में सुधार",
  erasure: "व्यक्तिगत डेटा मिटाने",
  nomination: "आपकी ओर से काम करने वाला नॉमिनी (नामित व्यक्ति) तय करने",
  consent_withdrawal: "सहमति वापस लेने",
};

/** After "की नई स्थिति:": labels that read right for अनुरोध and शिकायत alike. */
const STATUS: Record<string, string> = {
  pending_verification: "आपकी पुष्टि के इंतज़ार में",
  verified: "पुष्टि हो चुकी है",
  in_progress: "कार्रवाई चल रही है",
  deactivated: "खाता निष्क्रिय (बंद) कर दिया गया है",
  // A legal hold lasts as long as the obligation behind it: never "stopped for a short while".
  on_hold: "फ़िलहाल रोक लगी है",
  purging: "डेटा मिटाया जा रहा है",
  purged: "डेटा मिटा दिया गया है",
  completed: "काम पूरा हो गया है",
  cancelled: "रद्द",
  rejected: "अस्वीकृत",
};

interface Phrase {
  /** "व्यक्तिगत डेटा मिटाने के लिए आपका अनुरोध" */
  direct: string;
  /** "व्यक्तिगत डेटा मिटाने के लिए आपके अनुरोध" (before की/का/के) */
  oblique: string;
  /** "व्यक्तिगत डेटा मिटाने के लिए अपने अनुरोध" (आप is the subject: "…की पुष्टि करें") */
  reflexive: string;
  feminine: boolean;
}

function yours(kind: string): Phrase {
  if (kind === "grievance")
    return { direct: "आपकी शिकायत", oblique: "आपकी शिकायत", reflexive: "अपनी शिकायत", feminine: true };
  const purpose = PURPOSE[kind] ?? kind.replace(/_/g, " ");
  return {
    direct: `${purpose} के लिए आपका अनुरोध`,
    oblique: `${purpose} के लिए आपके अनुरोध`,
    reflexive: `${purpose} के लिए अपने अनुरोध`,
    feminine: false,
  };
}

const ref = (id: string) => `(संदर्भ संख्या: ${id})`;

/** The Grievance Officer's address is in every footer; the Board's channel wherever the Board is named. */
const OFFICER = "हमारे शिकायत अधिकारी को ईमेल करें (पता नीचे दिया है)";
const BOARD_NAME = "डेटा संरक्षण बोर्ड";
const board = (h: NoticeHelpers) =>
  `भारतीय ${BOARD_NAME} (Data Protection Board of India) के ऑनलाइन पोर्टल (${h.board}) पर शिकायत कर सकते हैं`;
const escalate = (h: NoticeHelpers) => `उनके जवाब से संतुष्ट न होने पर आप ${board(h)}।`;
const next = (h: NoticeHelpers, kind: string) => {
  const p = yours(kind);
  const makeNew = p.feminine ? "नई शिकायत दर्ज कर सकते हैं" : "नया अनुरोध कर सकते हैं";
  return {
    makeNew,
    rejected: `छूटी हुई जानकारी के साथ आप कभी भी ${makeNew}। अगर आप इस फ़ैसले से सहमत नहीं हैं, तो ${OFFICER}। ${escalate(h)}`,
    grievanceDone: `अगर आप इस समाधान से संतुष्ट नहीं हैं, तो आप ${board(h)}।`,
    done: `अगर आपको लगता है कि कुछ छूट गया है या ग़लत है, तो ${OFFICER}। ${escalate(h)}`,
    overdueAdvice: (by: string) =>
      p.feminine
        ? `अगर ${by} तक समाधान न हो, या आप हमारे जवाब से संतुष्ट न हों, तो आप ${board(h)}।`
        : `अगर ${by} तक हमारा जवाब न मिले, या इस पर हमारी कार्रवाई से आप संतुष्ट न हों, तो ${OFFICER}। ${escalate(h)}`,
    question: `${p.feminine ? "अपनी शिकायत" : "अपने अनुरोध"} के बारे में कोई सवाल हो, तो ${OFFICER}।`,
  };
};

function statusNext(h: NoticeHelpers, n: { kind: string; status: string; purgeDueAt?: string }): string {
  const say = next(h, n.kind);
  switch (n.status) {
    case "rejected":
      return say.rejected;
    case "completed":
      return n.kind === "grievance" ? say.grievanceDone : say.done;
    case "cancelled":
      return `आप कभी भी ${say.makeNew}। ${say.question}`;
    case "on_hold":
      return `किसी कानूनी ज़िम्मेदारी के कारण हमें यह डेटा तब तक रखना होगा, जब तक वह ज़िम्मेदारी बनी रहती है। आपका अनुरोध आगे बढ़ते ही हम आपको बताएँगे। ${say.question}`;
    case "deactivated":
      return (
        (n.purgeDueAt
          ? `आपका डेटा ${h.date(n.purgeDueAt)} तक बिना इस्तेमाल के सुरक्षित रखा जाएगा, फिर हमेशा के लिए मिटा दिया जाएगा। `
          : "आपका डेटा तय अवधि तक बिना इस्तेमाल के सुरक्षित रखा जाएगा, फिर हमेशा के लिए मिटा दिया जाएगा। ") +
        `तब तक आप अपना खाता दोबारा चालू करने के लिए हमसे कह सकते हैं। ${say.question}`
      );
    default:
      return say.question;
  }
}

export const hi: LanguagePack = {
  code: "hi",
  name: "हिंदी",
  locale: "hi-IN",
  boardName: BOARD_NAME,
  reasons: {
    withdrawn_by_requester: "आपने (या खाते के मालिक ने) इसे वापस ले लिया।",
    account_reactivated: "खाता दोबारा चालू कर दिया गया, इसलिए इसे मिटाया नहीं जाएगा।",
    owner_only_nomination: "खाते का नामांकन सिर्फ़ खाते के मालिक ही कर सकते हैं, बदल सकते हैं या वापस ले सकते हैं।",
  },
  otherLanguage: (text, languageName) => `(हमारे अधिकारी के अपने शब्द, ${languageName} में) ${text}`,
  footer: (dpo) =>
    `अपने व्यक्तिगत डेटा से जुड़ा कोई सवाल या शिकायत हो, तो हमारे शिकायत अधिकारी और डेटा संरक्षण अधिकारी (CallMissed Technologies Pvt. Ltd.) को ईमेल करें: ${dpo}`,
  templates: {
    verification_code: (n) => ({
      subject: "आपका CallMissed सत्यापन कोड",
      body: `आपका CallMissed सत्यापन कोड (OTP) ${n.code} है। यह ${n.minutes} मिनट तक मान्य है। यह कोड दर्ज करके ${yours(n.kind).reflexive} की पुष्टि करें।`,
      next: "अगर आपने यह अनुरोध नहीं किया है, तो इस संदेश को अनदेखा करें — इससे कुछ नहीं बदलेगा। यह कोड कभी भी किसी के साथ साझा न करें।",
    }),
    verification_reminder: (n, h) => {
      const p = yours(n.kind);
      return {
        subject: p.feminine ? "कृपया अपनी शिकायत की पुष्टि करें" : "कृपया अपने अनुरोध की पुष्टि करें",
        body: `${p.direct} ${ref(n.requestId)} आपकी पुष्टि के इंतज़ार में है। पुष्टि होने तक हम कुछ नहीं करेंगे।`,
        next:
          "हमने जो कोड भेजा था, उसे दर्ज करें। अगर उस कोड का समय खत्म हो गया है, तो जहाँ आपने अनुरोध किया था, वहीं से नया कोड मँगाएँ। " +
          `अगर ${h.date(n.expiresAt)} तक पुष्टि नहीं हुई, तो हम बिना कुछ बदले इसे बंद कर देंगे; आप कभी भी ${next(h, n.kind).makeNew}। ` +
          "अगर यह अनुरोध आपने नहीं किया है, तो इस संदेश को अनदेखा करें।",
      };
    },
    verification_expired: (n, h) => {
      const p = yours(n.kind);
      return {
        subject: p.feminine ? "आपकी शिकायत बंद कर दी गई है" : "आपका अनुरोध बंद कर दिया गया है",
        body: `${p.oblique} ${ref(n.requestId)} की पुष्टि ${n.days === 1 ? "1 दिन" : `${n.days} दिनों`} के भीतर नहीं हुई, इसलिए हमने इसे बंद कर दिया है। आपका कोई भी डेटा बदला या मिटाया नहीं गया है।`,
        next: `आप कभी भी ${next(h, n.kind).makeNew}। ${next(h, n.kind).question}`,
      };
    },
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
          `आप इसकी स्थिति वहीं देख सकते हैं जहाँ आपने ${p.feminine ? "शिकायत दर्ज की थी" : "अनुरोध किया था"}। ` +
          (n.dueAt
            ? next(h, n.kind).overdueAdvice(h.date(n.dueAt))
            : p.feminine
              ? `अगर आप हमारे जवाब से संतुष्ट न हों, तो आप ${board(h)}।`
              : `अगर इस पर हमारी कार्रवाई से आप संतुष्ट न हों, तो ${OFFICER}। ${escalate(h)}`),
      };
    },
    grievance_acknowledged: (n, h) => ({
      subject: "हमें आपकी शिकायत मिल गई है",
      body: `हमें आपकी शिकायत ${ref(n.requestId)} मिल गई है। हम ${h.date(n.dueAt)} तक इसका समाधान करेंगे।`,
      next: `अगर तब तक समाधान न हो, या आप हमारे जवाब से संतुष्ट न हों, तो आप ${board(h)}।`,
    }),
    request_status: (n, h) => {
      const p = yours(n.kind);
      return {
        subject: p.feminine ? "आपकी शिकायत पर नई जानकारी" : "आपके अनुरोध पर नई जानकारी",
        body:
          `${p.oblique} ${ref(n.requestId)} की नई स्थिति: ${STATUS[n.status] ?? n.status.replace(/_/g, " ")}।` +
          (n.reason ? ` कारण: ${h.reason(n.reason)}` : ""),
        next: statusNext(h, n),
      };
    },
    deadline_extended: (n, h) => {
      const p = yours(n.kind);
      return {
        subject: p.feminine ? "आपकी शिकायत के लिए हमें और समय चाहिए" : "आपके अनुरोध के लिए हमें और समय चाहिए",
        body:
          `हमें ${p.oblique} ${ref(n.requestId)} पर काम पूरा करने के लिए और समय चाहिए। ` +
          (p.feminine
            ? `अब हम ${h.date(n.dueAt)} तक इसका समाधान करेंगे।`
            : `अब हम इसे ${h.date(n.dueAt)} तक पूरा करेंगे।`) +
          ` कारण: ${h.reason(n.reason)}`,
        next: next(h, n.kind).overdueAdvice(h.date(n.dueAt)),
      };
    },
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
        const other = n.retained.find((r) => !h.isReaderLanguage(r.language));
        lines.push(
          `हम सिर्फ़ वही रिकॉर्ड रख रहे हैं जिन्हें कानून के तहत रखना ज़रूरी है${other ? ` (विवरण ${h.languageName(other.language)} में)` : ""}:`,
          ...n.retained.map((r) => `- ${r.label} (${r.basis})`),
        );
      }
      return {
        subject: grievance ? "आपकी शिकायत का समाधान हो गया है" : "आपका अनुरोध पूरा हो गया है",
        body: lines.join("\n"),
        next: grievance ? next(h, n.kind).grievanceDone : next(h, n.kind).done,
      };
    },
    request_rejected: (n, h) => {
      const p = yours(n.kind);
      return {
        subject: p.feminine ? "हम आपकी शिकायत पर आगे कार्रवाई नहीं कर सकते" : "हम आपका अनुरोध पूरा नहीं कर सकते",
        body:
          (p.feminine
            ? `हम ${p.direct} ${ref(n.requestId)} पर आगे कार्रवाई नहीं कर सकते।`
            : `हम ${p.direct} ${ref(n.requestId)} पूरा नहीं कर सकते।`) +
          (n.reason ? ` कारण: ${h.reason(n.reason)}` : ""),
        next: next(h, n.kind).rejected,
      };
    },
    grievance_response: (n, h) => ({
      subject: "आपकी शिकायत पर हमारा जवाब",
      body: `हमारे शिकायत अधिकारी ने आपकी शिकायत ${ref(n.requestId)} पर यह जवाब दिया है:\n\n${h.typed(n.message)}`,
      next: "समाधान होने तक आपकी शिकायत खुली रहेगी। कुछ और बताना हो, तो इस संदेश का जवाब दें।",
    }),
    grievance_resolved: (n, h) => ({
      subject: "आपकी शिकायत का समाधान हो गया है",
      body: `हमने आपकी शिकायत ${ref(n.requestId)} का समाधान कर दिया है। हमारा जवाब:\n\n${h.typed(n.resolution)}`,
      next: `अगर आप इस समाधान से संतुष्ट नहीं हैं, तो आप ${board(h)}।`,
    }),
    nomination_revoked: (n, h) => ({
      subject: "आपका नामांकन (नॉमिनेशन) वापस ले लिया गया है",
      body: `आपके कहने पर हमने आपका नामांकन ${ref(n.requestId)} वापस ले लिया है। जिस व्यक्ति को आपने नॉमिनी बनाया था, अब उन्हें आपकी ओर से आपके अधिकारों का उपयोग करने का अधिकार नहीं है।`,
      next: `आप कभी भी फिर से किसी को नॉमिनी बना सकते हैं। ${next(h, "nomination").question}`,
    }),
    breach_notice: (n, h) => ({
      subject: "ज़रूरी सूचना: आपके व्यक्तिगत डेटा से जुड़ी एक सुरक्षा घटना",
      body: [
        `${h.date(n.discoveredAt)} को हमें एक सुरक्षा घटना (व्यक्तिगत डेटा का उल्लंघन) का पता चला, जिसका असर आपके उस व्यक्तिगत डेटा पर पड़ा है जो हमारे पास है ${ref(n.breachId)}।` +
          (h.isReaderLanguage(n.texts.language)
            ? ""
            : ` नीचे दिया गया विवरण अभी हिंदी में नहीं है: यह ${h.languageName(n.texts.language)} में है, जैसा हमारे अधिकारी ने लिखा। इसे समझने में मदद के लिए ${OFFICER}।`),
        `क्या हुआ: ${n.texts.nature}`,
        `इसका आप पर क्या असर हो सकता है: ${n.texts.consequences}`,
        `हमने क्या किया है: ${n.texts.measures}`,
        `अपनी सुरक्षा के लिए आप क्या कर सकते हैं: ${n.texts.safetySteps}`,
      ].join("\n\n"),
      next: `हमें खेद है। कोई सवाल हो, या आपको लगे कि आप पर ऐसा असर पड़ा है जो यहाँ नहीं लिखा है, तो ${OFFICER}। ${escalate(h)}`,
    }),
  },
};
