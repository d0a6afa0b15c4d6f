// The rating page: one rater, items in a per-rater random order, a rating allowed only
// after the sample was played to its end; ratings go to the server as they are given
// (when served over http) and can always be downloaded as a file (offline tests).
"use strict";
const TEXT = {
  zh: {instructions: "请听每一段语音，并评价它的整体质量（自然度与清晰度）。",
       rule_headphones: "请在安静的环境中使用耳机。", rule_listen: "每段语音必须完整播放一遍后才能评分，可以重复播放。",
       rule_scale: "评分标准：5 优、4 良、3 中、2 差、1 劣（ITU-T P.800 绝对等级评分）。",
       rater_label: "评分人编号：", start: "开始", question: "这段语音的质量如何？", next: "提交并继续",
       hint_listen: "请先完整播放这段语音。", thanks: "评分已完成，谢谢！", download: "下载评分文件",
       offline_note: "本页面离线打开：请下载评分文件并发回给测试组织者。", progress: "第 {i} / {n} 段",
       need_rater: "请输入评分人编号（字母、数字或 _.@-）。", send_failed: "提交失败，请重试：",
       lang: "English"},
  en: {instructions: "Listen to each sample and rate its overall quality (naturalness and clarity).",
       rule_headphones: "Use headphones in a quiet place.", rule_listen: "Play each sample to the end before rating; you may replay it.",
       rule_scale: "Scale: 5 Excellent, 4 Good, 3 Fair, 2 Poor, 1 Bad (ITU-T P.800 absolute category rating).",
       rater_label: "Rater ID:", start: "Start", question: "How good is this sample?", next: "Submit and continue",
       hint_listen: "Play the sample to the end first.", thanks: "All done, thank you!", download: "Download ratings",
       offline_note: "This page was opened offline: download the ratings file and send it back.", progress: "Sample {i} of {n}",
       need_rater: "Enter a rater ID (letters, digits or _.@-).", send_failed: "Could not submit, please retry: ",
       lang: "中文"},
};
const test = window.MOS_TEST;
const online = location.protocol.startsWith("http");
let lang = "zh", order = [], pos = 0, plays = 0, ended = false, rater = "";
const ratings = [];
const $ = (id) => document.getElementById(id);

function t(key) { return TEXT[lang][key]; }
function render() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  $("lang").textContent = t("lang");
  $("title").textContent = test.title;
  const fs = $("scale");
  fs.querySelectorAll("label").forEach((l) => l.remove());
  for (const score of [5, 4, 3, 2, 1]) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="radio" name="score" value="${score}"> ${score} ${test.scale[score][lang]}`;
    fs.appendChild(label);
  }
  fs.querySelectorAll("input").forEach((i) => i.addEventListener("change", () => { $("next").disabled = false; }));
  if (order.length) $("progress_text").textContent = t("progress").replace("{i}", pos + 1).replace("{n}", order.length);
}

// mulberry32 seeded by a string hash: the same rater always gets the same order
function seeded(str) {
  let h = 1779033703 ^ str.length;
  for (let i = 0; i < str.length; i++) { h = Math.imul(h ^ str.charCodeAt(i), 3432918353); h = (h << 13) | (h >>> 19); }
  return () => { h |= 0; h = (h + 0x6D2B79F5) | 0; let x = Math.imul(h ^ (h >>> 15), 1 | h);
                 x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x; return ((x ^ (x >>> 14)) >>> 0) / 4294967296; };
}
function shuffled(items, rand) {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
}

function showItem() {
  const item = order[pos];
  plays = 0; ended = false;
  $("scale").disabled = true; $("next").disabled = true; $("hint").hidden = false; $("trial_error").textContent = "";
  $("scale").querySelectorAll("input").forEach((i) => { i.checked = false; });
  $("player").src = item.audio;
  $("progress").max = order.length; $("progress").value = pos;
  render();
}

async function submit() {
  const checked = $("scale").querySelector("input:checked");
  if (!checked || !ended) return;
  const rating = {rater, item: order[pos].id, score: Number(checked.value), plays, client_time: new Date().toISOString()};
  $("next").disabled = true;
  if (online) {
    try {
      const r = await fetch("api/ratings", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(rating)});
      if (r.status !== 201 && r.status !== 409) throw new Error((await r.json()).error || r.status);
    } catch (err) {
      $("trial_error").textContent = t("send_failed") + err.message; $("next").disabled = false; return;
    }
  }
  ratings.push(rating);
  try { localStorage.setItem("mos-" + rater, JSON.stringify(ratings)); } catch (e) { /* private mode */ }
  pos += 1;
  if (pos < order.length) showItem(); else finish();
}

function finish() {
  $("trial").hidden = true; $("done").hidden = false; $("offline_note").hidden = online;
  $("progress").value = order.length;
}

function download() {
  const blob = new Blob([JSON.stringify({format: "mandarin-tts-mos-ratings", rater, ratings}, null, 1)], {type: "application/json"});
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = `ratings_${rater}.json`; a.click();
}

$("player").addEventListener("play", () => { plays += 1; });
$("player").addEventListener("ended", () => { ended = true; $("scale").disabled = false; $("hint").hidden = true; });
$("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; render(); });
$("next").addEventListener("click", submit);
$("download").addEventListener("click", download);
$("start").addEventListener("click", () => {
  rater = $("rater").value.trim();
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(rater)) { $("intro_error").textContent = t("need_rater"); return; }
  order = shuffled(test.items, seeded(rater));
  $("intro").hidden = true; $("trial").hidden = false;
  showItem();
});
render();
