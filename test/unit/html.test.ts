import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/domain/html";

describe("escapeHtml (the Board report, the export summary and the problem pages)", () => {
  it("leaves no character that could end an element or a quoted attribute", () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;",
    );
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
    expect(escapeHtml("हिन्दी 2026")).toBe("हिन्दी 2026");
  });
});
