"""User-interface strings in Chinese and English, chosen by ``theme.language``.

Other languages fall back to English; a site may override any string through the plugin's
``strings`` option.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "id": "ID", "version": "Version", "status": "Status", "effective_date": "Effective",
        "next_review": "Next review", "owner": "Owner", "department": "Department",
        "applies_to": "Applies to", "everywhere": "Everywhere", "sites": "Sites", "lines": "Lines",
        "workstations": "Workstations", "roles": "Roles", "access": "Access",
        "status.draft": "Draft", "status.in-review": "In review", "status.effective": "Effective",
        "status.superseded": "Superseded", "status.obsolete": "Obsolete", "status.upcoming": "Upcoming",
        "raci.R": "Responsible", "raci.A": "Accountable", "raci.C": "Consulted", "raci.I": "Informed",
        "steps": "Steps", "all_steps": "all steps",
        "banner.draft": "Draft: this SOP is not approved. Do not work to it.",
        "banner.in-review": "In review: this SOP is not yet approved. Do not work to it.",
        "banner.upcoming": "Upcoming: this version takes effect on {date}. Until then, work to the current version.",
        "banner.superseded": "Superseded: this SOP is no longer in force.",
        "banner.superseded_by": "Superseded: this SOP is no longer in force. Use {link}.",
        "banner.obsolete": "Obsolete: this SOP is withdrawn. Do not use it.",
        "banner.review_overdue": "Review overdue since {date}.",
        "banner.problems": "This SOP has {count} problem(s) to fix before it can be published:",
        "banner.translation": "Translation of {link}, version {version}.",
        "banner.translation_stale": "This translation matches version {version} of {link}; the source is now at version {current}. The source governs.",
        "control_points": "Control points", "cp.kind": "Kind", "cp.step": "Step", "cp.hazard": "Hazard",
        "cp.parameter": "Parameter", "cp.limit": "Limit", "cp.monitoring": "Monitoring",
        "cp.corrective_action": "Corrective action", "cp.verification": "Verification",
        "cp.record": "Record", "cp.who": "who",
        "exceptions": "Exceptions", "exc.trigger": "When", "exc.action": "Do", "exc.escalate_to": "Escalate to",
        "records": "Records", "rec.form": "Form", "rec.retention": "Retention", "years": "{n} years",
        "references": "References", "supersedes": "Supersedes", "superseded_by": "Superseded by",
        "referenced_by": "Referenced by", "approvals": "Approvals", "training": "Training",
        "not_in_copy": "not part of this copy", "unknown_sop": "unknown SOP",
        "print.uncontrolled": "Uncontrolled copy when printed — printed on",
        "redirect": "Redirecting to the current version of {id}…",
        "departments": "Departments", "sop_count": "{n} SOPs", "title": "Title",
        # Directory, build stamp (pages/directory.py, templates/sop-base.html).
        "directory": "SOP directory",
        "directory.intro": "Every SOP of this copy, in its current version. Type to filter, choose a department, status or site, click a column heading to sort.",
        "directory.find": "Find", "directory.find_hint": "id, title, role, site…",
        "directory.all_departments": "All departments", "directory.all_statuses": "All statuses",
        "directory.all_sites": "All sites", "directory.count": "{shown} of {total}",
        "directory.none": "No SOP matches the filter.",
        "directory.noscript": "The directory needs JavaScript. Without it, find the SOPs on the department pages:",
        "stamp.build": "Built from {commit} · {date}", "stamp.no_commit": "no commit",
        "stamp.copy": "Copy: {name}", "stamp.filter": "Site {site}, access up to {access}",
    },
    "zh": {
        "id": "编号", "version": "版本", "status": "状态", "effective_date": "生效日期",
        "next_review": "下次评审", "owner": "负责人", "department": "部门",
        "applies_to": "适用范围", "everywhere": "全部", "sites": "工厂", "lines": "产线",
        "workstations": "工位", "roles": "角色", "access": "访问级别",
        "status.draft": "草稿", "status.in-review": "审核中", "status.effective": "生效",
        "status.superseded": "已被替代", "status.obsolete": "已作废", "status.upcoming": "即将生效",
        "raci.R": "执行", "raci.A": "批准", "raci.C": "咨询", "raci.I": "知会",
        "steps": "步骤", "all_steps": "全部步骤",
        "banner.draft": "草稿：本SOP尚未批准，不得据此作业。",
        "banner.in-review": "审核中：本SOP尚未批准，不得据此作业。",
        "banner.upcoming": "即将生效：本版本于 {date} 生效，在此之前请按现行版本作业。",
        "banner.superseded": "已被替代：本SOP已不再有效。",
        "banner.superseded_by": "已被替代：本SOP已不再有效，请使用 {link}。",
        "banner.obsolete": "已作废：本SOP已撤销，不得使用。",
        "banner.review_overdue": "评审已逾期（应于 {date} 前完成）。",
        "banner.problems": "本SOP有 {count} 个问题，修正后才能发布：",
        "banner.translation": "本页为 {link} 的译文，对应版本 {version}。",
        "banner.translation_stale": "本译文对应 {link} 的 {version} 版，原文现为 {current} 版。以原文为准。",
        "control_points": "关键控制点", "cp.kind": "类型", "cp.step": "步骤", "cp.hazard": "危害",
        "cp.parameter": "参数", "cp.limit": "限值", "cp.monitoring": "监控",
        "cp.corrective_action": "纠正措施", "cp.verification": "验证", "cp.record": "记录", "cp.who": "执行人",
        "exceptions": "例外情况", "exc.trigger": "情形", "exc.action": "处理", "exc.escalate_to": "上报",
        "records": "记录", "rec.form": "表单", "rec.retention": "保存期限", "years": "{n} 年",
        "references": "引用文件", "supersedes": "替代", "superseded_by": "被替代为",
        "referenced_by": "被引用于", "approvals": "批准", "training": "培训",
        "not_in_copy": "不在本副本中", "unknown_sop": "未知SOP",
        "print.uncontrolled": "打印件为非受控文件 — 打印日期",
        "redirect": "正在跳转到 {id} 的现行版本…",
        "departments": "部门", "sop_count": "{n} 个SOP", "title": "标题",
        # Directory, build stamp (pages/directory.py, templates/sop-base.html).
        "directory": "SOP目录",
        "directory.intro": "本副本的全部SOP（现行版本）。输入文字筛选，可按部门、状态、工厂过滤，点击列标题排序。",
        "directory.find": "查找", "directory.find_hint": "编号、标题、角色、工厂…",
        "directory.all_departments": "全部部门", "directory.all_statuses": "全部状态",
        "directory.all_sites": "全部工厂", "directory.count": "显示 {shown} / 共 {total}",
        "directory.none": "没有符合筛选条件的SOP。",
        "directory.noscript": "目录需要启用JavaScript。也可以在部门页面中查找SOP：",
        "stamp.build": "构建自 {commit} · {date}", "stamp.no_commit": "未提交",
        "stamp.copy": "副本：{name}", "stamp.filter": "工厂 {site}，访问级别至 {access}",
    },
}


def strings_for(language: str | None, overrides: dict[str, str] | None = None):
    """A translate function ``t(key, **values)`` for ``language`` (``zh``, ``zh-Hant``, ``en`` ...)."""
    base = "zh" if (language or "").lower().startswith("zh") else "en"
    table = {**STRINGS["en"], **STRINGS[base], **(overrides or {})}

    def t(key: str, **values) -> str:
        text = table.get(key, key)
        return text.format(**values) if values else text

    t.language = base  # type: ignore[attr-defined]
    return t
