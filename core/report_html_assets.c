/* report_html_assets.c - the HTML report's only style and script, and
 * the Content-Security-Policy that allows exactly these two by hash.
 * The page needs nothing else: no font, image, style or script is
 * fetched, and an injected inline handler or element could not run. */
#include "report_html_assets.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

static const char style[] =
	":root{--fg:#1d2330;--muted:#5b6474;--line:#dde2ea;--bg:#f6f7f9;"
	"--card:#fff;--accent:#0b5cad;--bad:#c1121f;--warn:#b35c00}"
	"*{box-sizing:border-box}"
	"body{margin:0;background:var(--bg);color:var(--fg);"
	"font:15px/1.45 system-ui,'DejaVu Sans','Liberation Sans',"
	"Arial,sans-serif}"
	"header.top{background:#14213d;color:#fff;padding:20px 32px}"
	"header.top h1{margin:0;font-size:24px;font-weight:600}"
	"header.top p{margin:4px 0 0;color:#c9d2e3;font-size:13px}"
	"nav{margin-top:10px;font-size:13px}"
	"nav a{color:#fff;margin-right:14px}"
	"main{max-width:1120px;margin:0 auto;padding:16px 24px 48px}"
	"section.scope{background:var(--card);border:1px solid var(--line);"
	"border-radius:8px;padding:18px 24px;margin:18px 0}"
	"h2{font-size:21px;margin:0 0 4px}"
	"h3{font-size:16px;margin:22px 0 6px;color:#26324a}"
	"p.note{color:var(--muted);font-size:13px;margin:2px 0 8px}"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}"
	".card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;"
	"min-width:130px;background:#fbfcfd}"
	".card b{display:block;font-size:22px;font-weight:600}"
	".card span{color:var(--muted);font-size:12px}"
	".card.alarm b{color:var(--bad)}"
	"figure.chart{margin:4px 0 8px}"
	"figure.chart svg{width:100%;height:auto;display:block}"
	"svg text{font-family:system-ui,'DejaVu Sans',sans-serif;"
	"fill:#333;font-size:11px}"
	"svg .axis-title{font-size:12px;fill:#26324a;font-weight:600}"
	"svg .legend{font-size:12px}"
	"svg .unauth{fill:var(--bad);font-weight:700}"
	"svg .grid{stroke:#e8ebf0}"
	"svg .axis{stroke:#8a93a3}"
	"svg .mark{stroke:var(--bad);stroke-dasharray:4 3;stroke-width:1.5}"
	"svg .mark-label{fill:var(--bad);font-size:11px;font-weight:600}"
	"table{border-collapse:collapse;width:100%;font-size:13px;"
	"margin:6px 0}"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid "
	"var(--line);vertical-align:top}"
	"th{background:#eef1f5;font-weight:600;white-space:nowrap}"
	"th[aria-sort]{cursor:pointer}"
	"th[aria-sort=ascending]::after{content:' \\25B2'}"
	"th[aria-sort=descending]::after{content:' \\25BC'}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	"td.name{overflow-wrap:anywhere;min-width:160px}"
	"td[data-v]{white-space:nowrap}"
	"tr.dangling td{background:#fde8ea}"
	".badge{display:inline-block;border-radius:4px;padding:0 6px;"
	"font-size:12px;font-weight:600;white-space:nowrap}"
	".sev-critical{background:#7a0010;color:#fff}"
	".sev-high{background:var(--bad);color:#fff}"
	".sev-medium{background:#f4a261;color:#2b1a00}"
	".sev-low{background:#ffe8a3;color:#3b2f00}"
	".sev-info{background:#dbe7f5;color:#14304f}"
	".dns-dangling_cname{background:var(--bad);color:#fff}"
	".dns-resolved{background:#d8f0e3;color:#0d4a2b}"
	".dns-other{background:#eceff3;color:#333}"
	"details{margin:10px 0}"
	"summary{cursor:pointer;color:var(--accent);font-weight:600}"
	"a{color:var(--accent)}"
	"input.filter{margin:6px 0;padding:5px 8px;width:280px;"
	"border:1px solid var(--line);border-radius:4px;font:inherit}"
	"footer{color:var(--muted);font-size:12px;text-align:center;"
	"padding:12px}"
	"@media print{header.top{background:none;color:#000}"
	"nav,input.filter{display:none}}";

/* Sorting by a header click (numbers and times by data-v) and a filter
 * box above long tables.  It reads textContent and never writes markup,
 * so certificate text stays text. */
static const char script[] =
	"(function(){'use strict';"
	"function val(c){var v=c.getAttribute('data-v');"
	"return v!==null?v:c.textContent.trim().toLowerCase();}"
	"function cmp(a,b){var x=parseFloat(a),y=parseFloat(b);"
	"if(String(x)===a&&String(y)===b)return x-y;"
	"return a<b?-1:a>b?1:0;}"
	"Array.prototype.forEach.call(document.querySelectorAll("
	"'table.sortable'),function(t){"
	"var hs=t.tHead?t.tHead.rows[0].cells:[];"
	"Array.prototype.forEach.call(hs,function(h,i){"
	"h.tabIndex=0;h.setAttribute('aria-sort','none');"
	"function sort(){var up=h.getAttribute('aria-sort')!=='ascending';"
	"Array.prototype.forEach.call(hs,function(o){"
	"o.setAttribute('aria-sort','none');});"
	"h.setAttribute('aria-sort',up?'ascending':'descending');"
	"var b=t.tBodies[0],rs=Array.prototype.slice.call(b.rows);"
	"rs.sort(function(p,q){var r=cmp(val(p.cells[i]),val(q.cells[i]));"
	"return up?r:-r;});rs.forEach(function(r){b.appendChild(r);});}"
	"h.addEventListener('click',sort);"
	"h.addEventListener('keydown',function(e){"
	"if(e.key==='Enter')sort();});});"
	"if(t.classList.contains('filterable')){"
	"var f=document.createElement('input');f.type='search';"
	"f.className='filter';f.placeholder='Filter rows\\u2026';"
	"f.setAttribute('aria-label','Filter rows');"
	"t.parentNode.insertBefore(f,t);"
	"f.addEventListener('input',function(){"
	"var q=f.value.toLowerCase();"
	"Array.prototype.forEach.call(t.tBodies[0].rows,function(r){"
	"r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});}"
	"});})();";

const char *ctm_html_style(void)
{
	return style;
}

const char *ctm_html_script(void)
{
	return script;
}

/* 'sha256-<base64>' of text, as CSP wants it. */
static int csp_hash(const char *text, char *out, size_t len)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int n = 0;

	if (!EVP_Digest(text, strlen(text), digest, &n, EVP_sha256(), NULL))
		return -1;
	EVP_EncodeBlock(b64, digest, (int)n);
	return snprintf(out, len, "'sha256-%s'", (const char *)b64) <
			       (int)len
		       ? 0
		       : -1;
}

int ctm_html_csp(struct ctm_buf *out)
{
	char style_hash[80], script_hash[80];

	if (csp_hash(style, style_hash, sizeof style_hash) != 0 ||
	    csp_hash(script, script_hash, sizeof script_hash) != 0)
		return -1;
	ctm_buf_printf(out,
		       "default-src 'none'; style-src %s; script-src %s; "
		       "img-src 'none'; font-src 'none'; connect-src 'none'; "
		       "base-uri 'none'; form-action 'none'",
		       style_hash, script_hash);
	return out->oom ? -1 : 0;
}
