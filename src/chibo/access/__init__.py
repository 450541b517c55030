"""The one gatekeeper: what a user may see and change.

Views and the API get organisations, members, posts, localities, audit records,
resolutions, targets, measurements, tasks, meetings, documents, study sessions and members'
questions (threads) only through these functions. An object outside the user's scope is
answered with 404 (its existence is not revealed); an object the user may see but not change
raises PermissionDenied (403) on a write; a view asks a `may_…` function before offering an
action. Nothing else in chibo decides scope (tests/test_access_boundary.py checks that the
views and the API query guarded models only through here).

Scope comes from RoleAssignment rows (each reaching the organisation's subtree):
- cell_committee: read and write the cell's subtree (its members, posts, party groups);
- commune_staff: read and write the commune's subtree, its localities and audit trail;
- province_staff: read the province's subtree, and its audit trail;
- superuser (administrator): everything.
A user whose person is a party member also sees their own record (read-only) and the
basics of their own cell (its page and figures, not its member list).

The rules live in one module per domain — `scope` (the user's grants and the subtree filters
every domain shares), `organisation` (organisations, members, persons, localities, posts),
`plan`, `task`, `meeting`, `document` (with study sessions), `channel`, `recruitment`,
`lifecycle`, `exchange` (imports and exports), `account` (accounts and API tokens) and `audit`;
this package re-exports them, so callers write `access.get_task(request.user, pk)`."""

from __future__ import annotations

from chibo.access.account import (
    ACCOUNT_ADMIN_ROLES,
    accounts,
    get_account,
    get_account_person,
    get_account_role,
    get_onboarding_organisation,
    get_own_api_token,
    may_administer_accounts,
    own_api_tokens,
)
from chibo.access.audit import (
    audit_events,
)
from chibo.access.channel import (
    THREAD_OVERSEE_ROLES,
    get_thread,
    inbox_orgs,
    may_answer,
    may_take_part,
    may_use_inbox,
    thread_readers,
    thread_recipients,
    threads,
)
from chibo.access.document import (
    document_publishers,
    documents,
    follow_up_orgs,
    get_document,
    get_document_follow_up,
    get_document_publisher,
    get_participation,
    get_study_session,
    is_addressee,
    may_hold_study_session,
    may_publish_document,
    may_read_reflections,
    study_sessions,
)
from chibo.access.exchange import (
    export_jobs,
    get_export_job,
    get_import_job,
    import_jobs,
    may_import,
)
from chibo.access.lifecycle import (
    get_exemption,
    get_lifecycle_organisation,
    get_transfer_letter,
    may_edit_rulebook,
)
from chibo.access.meeting import (
    get_meeting,
    get_vote,
    may_hold_meetings,
    meetings,
    sees_draft_minutes,
    sees_materials,
)
from chibo.access.organisation import (
    get_locality,
    get_membership,
    get_organisation,
    get_post,
    localities,
    may_open_locality,
    may_open_organisation,
    may_write_post_in,
    memberships,
    openable_localities,
    organisations,
    organisations_with_basics,
    persons,
    persons_in_scope,
    posts,
    sees_members_of,
    structure_parent_orgs,
    writable_member_orgs,
)
from chibo.access.plan import (
    get_measurement,
    get_resolution,
    get_resolution_issuer,
    get_target,
    may_issue_resolution,
    may_report,
    openable_targets,
    resolution_issuers,
    resolutions,
    targets,
)
from chibo.access.recruitment import (
    candidates,
    get_candidate,
    may_manage_candidates,
    may_record_provincial_decision,
)
from chibo.access.scope import (
    AUDIT_ROLES,
    STRUCTURE_ROLES,
    WRITE_ROLES,
    Grant,
    Scope,
    Viewer,
    plan_orgs_filter,
    reach_filter,
    scope_for,
    scope_for_command,
    signed_in,
    subtree_filter,
)
from chibo.access.task import (
    get_task,
    may_assign,
    may_edit_task,
    may_report_task,
    may_verify_task,
    task_people,
    tasks,
    tasks_in,
)

__all__ = [
    "ACCOUNT_ADMIN_ROLES",
    "AUDIT_ROLES",
    "Grant",
    "STRUCTURE_ROLES",
    "Scope",
    "THREAD_OVERSEE_ROLES",
    "Viewer",
    "WRITE_ROLES",
    "accounts",
    "audit_events",
    "candidates",
    "document_publishers",
    "documents",
    "export_jobs",
    "follow_up_orgs",
    "get_account",
    "get_account_person",
    "get_account_role",
    "get_candidate",
    "get_document",
    "get_document_follow_up",
    "get_document_publisher",
    "get_exemption",
    "get_export_job",
    "get_import_job",
    "get_lifecycle_organisation",
    "get_locality",
    "get_measurement",
    "get_meeting",
    "get_membership",
    "get_onboarding_organisation",
    "get_organisation",
    "get_own_api_token",
    "get_participation",
    "get_post",
    "get_resolution",
    "get_resolution_issuer",
    "get_study_session",
    "get_target",
    "get_task",
    "get_thread",
    "get_transfer_letter",
    "get_vote",
    "import_jobs",
    "inbox_orgs",
    "is_addressee",
    "localities",
    "may_administer_accounts",
    "may_answer",
    "may_assign",
    "may_edit_rulebook",
    "may_edit_task",
    "may_hold_meetings",
    "may_hold_study_session",
    "may_import",
    "may_issue_resolution",
    "may_manage_candidates",
    "may_open_locality",
    "may_open_organisation",
    "may_publish_document",
    "may_read_reflections",
    "may_record_provincial_decision",
    "may_report",
    "may_report_task",
    "may_take_part",
    "may_use_inbox",
    "may_verify_task",
    "may_write_post_in",
    "meetings",
    "memberships",
    "openable_localities",
    "openable_targets",
    "organisations",
    "organisations_with_basics",
    "own_api_tokens",
    "persons",
    "persons_in_scope",
    "plan_orgs_filter",
    "posts",
    "reach_filter",
    "resolution_issuers",
    "resolutions",
    "scope_for",
    "scope_for_command",
    "signed_in",
    "sees_draft_minutes",
    "sees_materials",
    "sees_members_of",
    "structure_parent_orgs",
    "study_sessions",
    "subtree_filter",
    "targets",
    "task_people",
    "tasks",
    "tasks_in",
    "thread_readers",
    "thread_recipients",
    "threads",
    "writable_member_orgs",
]
