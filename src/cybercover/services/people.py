"""Organisations, users, passwords (Argon2), API tokens and page sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cybercover.errors import AuthenticationError, ConflictError, InputError, NotFoundError, Problem
from cybercover.services.authz import SYSTEM, Actor, Role, authorize, can, person
from cybercover.services.token_cache import TokenCache
from cybercover.services.uow import Database, UnitOfWork
from cybercover.storage.models import ApiToken, LoginFailure, Organisation, User, WebSession

__all__ = [
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW",
    "ORG_KINDS",
    "TooManyLoginFailures",
    "actor_from_session",
    "actor_from_token",
    "authenticate",
    "authenticate_login",
    "bootstrap_admin",
    "create_organisation",
    "create_user",
    "end_session",
    "get_me",
    "issue_api_token",
    "list_api_tokens",
    "list_organisations",
    "list_users",
    "revoke_api_token",
    "set_user_active",
    "start_session",
    "token_digest",
]

ORG_KINDS = ("insured_company", "agency", "insurer", "desk", "partner")

# which organisation kind each role a person can hold belongs to (no user is the system)
ROLE_ORG_KIND: dict[Role, str] = {
    Role.POLICYHOLDER: "insured_company",
    Role.AGENT: "agency",
    Role.UNDERWRITER: "insurer",
    Role.CLAIMS_HANDLER: "insurer",
    Role.ADMIN: "insurer",
    Role.ACTUARY: "insurer",
    Role.AUDITOR: "insurer",
    Role.DESK_OPERATOR: "desk",
    Role.PARTNER: "partner",
}

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _actor(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        organisation_id=user.organisation_id,
        role=Role(user.role),
        underwriting_authority=user.underwriting_authority,
        payment_authority=user.payment_authority,
        display_name=user.display_name,
    )


def user_snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user: never the password hash."""
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "payment_authority": user.payment_authority,
        "underwriting_authority": user.underwriting_authority,
        "active": user.active,
    }


def create_organisation(db: Database, actor: Actor, *, kind: str, code: str, name: str) -> int:
    """Create an organisation (an administrator, or the system: the CLI, the demo)."""
    authorize(actor, "organisation.manage")
    problems = []
    if kind not in ORG_KINDS:
        problems.append(
            Problem(
                "kind",
                "unknown_kind",
                f"不明な種別です（{', '.join(ORG_KINDS)}）",
                f"must be one of {', '.join(ORG_KINDS)}",
            )
        )
    if not code.strip() or not name.strip():
        problems.append(
            Problem(
                "code" if not code.strip() else "name", "required", "必須項目です", "is required"
            )
        )
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        if uow.session.execute(select(Organisation).where(Organisation.code == code)).first():
            raise ConflictError(
                "duplicate_code",
                "同じコードの組織が既にあります",
                f"an organisation with code {code} exists",
            )
        org = Organisation(kind=kind, code=code.strip(), name=name.strip(), created_at=uow.now)
        uow.session.add(org)
        uow.session.flush()
        uow.audit(
            person(actor),
            "organisation.create",
            ("organisation", org.id),
            after={"kind": kind, "code": code, "name": name},
        )
        return org.id


def _create_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    organisation_id: int,
    email: str,
    display_name: str,
    role: str,
    password: str,
    payment_authority: int | None = None,
    underwriting_authority: int = 0,
) -> User:
    problems: list[Problem] = []
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        problems.append(
            Problem(
                "email",
                "email",
                "メールアドレスの形式が正しくありません",
                "is not an e-mail address",
            )
        )
    if role not in ROLE_ORG_KIND:  # the roles a person can hold (never the system's)
        problems.append(
            Problem(
                "role",
                "unknown_role",
                "不明なロールです",
                f"must be one of {', '.join(r.value for r in ROLE_ORG_KIND)}",
            )
        )
    if len(password) < MIN_PASSWORD:
        problems.append(
            Problem(
                "password",
                "password_too_short",
                f"パスワードは{MIN_PASSWORD}文字以上にしてください",
                f"must be at least {MIN_PASSWORD} characters",
            )
        )
    if payment_authority is not None and payment_authority < 0:
        problems.append(
            Problem(
                "payment_authority", "negative", "0円以上で指定してください", "must not be negative"
            )
        )
    org = uow.session.get(Organisation, organisation_id)
    if org is None:
        problems.append(
            Problem("organisation_id", "not_found", "組織がありません", "no such organisation")
        )
    elif role in ROLE_ORG_KIND and ROLE_ORG_KIND[Role(role)] != org.kind:
        problems.append(
            Problem(
                "role",
                "role_organisation_mismatch",
                f"このロールは {ROLE_ORG_KIND[Role(role)]} の組織に属します",
                f"a {role} belongs to an organisation of kind {ROLE_ORG_KIND[Role(role)]}",
            )
        )
    if problems:
        raise InputError(problems)
    if uow.session.execute(select(User).where(User.email == email)).first():
        raise ConflictError(
            "duplicate_email",
            "同じメールアドレスの利用者が既にいます",
            "a user with this e-mail exists",
        )
    user = User(
        organisation_id=organisation_id,
        email=email,
        display_name=display_name.strip() or email,
        role=role,
        password_hash=_hasher.hash(password),
        payment_authority=payment_authority,
        underwriting_authority=underwriting_authority,
        active=True,
        created_at=uow.now,
    )
    uow.session.add(user)
    uow.session.flush()
    uow.audit(
        person(actor),
        "user.create",
        ("user", user.id),
        after=user_snapshot(user),
    )
    return user


def create_user(db: Database, actor: Actor, **fields: Any) -> int:
    """Create a user (an administrator, or the system: the CLI, the demo)."""
    authorize(actor, "user.manage")
    with db.unit_of_work() as uow:
        return _create_user(uow, actor, **fields).id


def bootstrap_admin(
    db: Database, *, email: str, password: str, display_name: str = "Administrator"
) -> int:
    """The first admin, with the insurer's organisation; refused once any user exists."""
    with db.unit_of_work() as uow:
        if uow.session.execute(select(func.count()).select_from(User)).scalar_one():
            raise ConflictError(
                "already_bootstrapped", "利用者が既に存在します", "users already exist"
            )
        org = (
            uow.session.execute(select(Organisation).where(Organisation.kind == "insurer"))
            .scalars()
            .first()
        )
        if org is None:
            org = Organisation(
                kind="insurer", code="insurer", name="損害保険ジャパン株式会社", created_at=uow.now
            )
            uow.session.add(org)
            uow.session.flush()
            uow.audit(
                None,
                "organisation.create",
                ("organisation", org.id),
                after={"kind": org.kind, "code": org.code, "name": org.name},
            )
        return _create_user(
            uow,
            SYSTEM,
            organisation_id=org.id,
            email=email,
            display_name=display_name,
            role=Role.ADMIN.value,
            password=password,
        ).id


def authenticate(db: Database, email: str, password: str) -> Actor:
    with db.sessions() as session:
        user = session.execute(
            select(User).where(User.email == email.strip().lower())
        ).scalar_one_or_none()
        if user is None or not user.active:
            _hasher.hash(password)  # same work either way: no user enumeration by timing
            raise AuthenticationError("wrong e-mail or password")
        try:
            _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            raise AuthenticationError("wrong e-mail or password") from None
        return _actor(user)


# Login throttling (docs/operations.md): 5 failures in 15 minutes, counted per account and
# per client address, refuse further tries until the oldest of them leaves the window.
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5


class TooManyLoginFailures(AuthenticationError):
    """Too many failed logins for this account or from this address; retry later."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; retry after {retry_after} seconds")


def _login_keys(email: str, client: str | None) -> list[str]:
    keys = ["account:" + _sha(email.strip().lower())]
    if client:
        keys.append("client:" + client[:64])
    return keys


def authenticate_login(db: Database, email: str, password: str, *, client: str | None) -> Actor:
    """:func:`authenticate` behind the login limit; every failure is stored (not the
    password), so the count holds across workers. A success clears the account's count."""
    keys = _login_keys(email, client)
    now = db.clock()
    with db.sessions() as session:
        wait = 0
        for key in keys:
            times = (
                session.execute(
                    select(LoginFailure.at)
                    .where(LoginFailure.key == key, LoginFailure.at > now - LOGIN_WINDOW)
                    .order_by(LoginFailure.at)
                )
                .scalars()
                .all()
            )
            if len(times) >= LOGIN_MAX_FAILURES:
                freed = times[-LOGIN_MAX_FAILURES] + LOGIN_WINDOW
                wait = max(wait, int((freed - now).total_seconds()) + 1)
    if wait:
        raise TooManyLoginFailures(wait)
    try:
        actor = authenticate(db, email, password)
    except AuthenticationError:
        with db.unit_of_work() as uow:
            uow.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - LOGIN_WINDOW))
            uow.session.add_all(LoginFailure(key=key, at=uow.now) for key in keys)
        raise
    with db.unit_of_work() as uow:
        uow.session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    return actor


def issue_api_token(db: Database, actor: Actor, *, name: str, days: int) -> str:
    """A new bearer token for ``actor`` itself; the clear token is returned once."""
    token = "cc_" + secrets.token_urlsafe(32)
    with db.unit_of_work() as uow:
        row = ApiToken(
            user_id=actor.user_id,
            name=name[:100] or "api",
            token_hash=_sha(token),
            created_at=uow.now,
            expires_at=uow.now + timedelta(days=days),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(actor.user_id, "token.create", ("api_token", row.id), after={"name": row.name})
    return token


def _token_view(row: ApiToken) -> dict[str, Any]:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "name": row.name,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
    }


def list_api_tokens(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The actor's own tokens, newest first (never the token itself: only its hash is
    kept)."""
    with db.sessions() as session:
        rows = session.execute(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
        ).scalars()
        return [_token_view(row) for row in rows]


def revoke_api_token(
    db: Database, actor: Actor, token_id: int | None = None, *, token: str | None = None
) -> dict[str, Any]:
    """Revoke one token: by id (the actor's own; an administrator's, anyone's) or the
    clear token the actor is calling with. Revoking a revoked token changes nothing and
    writes no audit row. Every worker stops accepting it at once (the token cache is
    cleared by the database's notification, docs/operations.md)."""
    with db.unit_of_work() as uow:
        query = select(ApiToken).with_for_update()
        if token is not None:
            query = query.where(ApiToken.token_hash == _sha(token))
        else:
            query = query.where(ApiToken.id == token_id)
        if not can(actor, "user.manage"):  # others' tokens do not exist for them
            query = query.where(ApiToken.user_id == actor.user_id)
        row = uow.session.execute(query).scalar_one_or_none()
        if row is None:
            raise NotFoundError("api_token", token_id if token is None else "current")
        if row.revoked_at is None:
            row.revoked_at = uow.now
            uow.audit(
                actor.user_id,
                "token.revoke",
                ("api_token", row.id),
                before={"revoked_at": None},
                after={"user_id": row.user_id, "name": row.name, "revoked_at": uow.now},
            )
        view = _token_view(row)
    db.auth_changed()
    return view


def set_user_active(db: Database, actor: Actor, user_id: int, *, active: bool) -> dict[str, Any]:
    """Deactivate a user (an administrator's act, or the system's from the CLI): the user can no longer log in, and every token and page session of theirs
    ends in the same transaction. Reactivating lets them log in again; their old tokens
    stay revoked. An administrator cannot deactivate themselves (someone must be left to
    undo it)."""
    authorize(actor, "user.manage")
    with db.unit_of_work() as uow:
        user = uow.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFoundError("user", user_id)
        if not active and user.id == person(actor):
            raise ConflictError(
                "self_deactivation",
                "自分自身を無効にすることはできません",
                "you cannot deactivate yourself",
            )
        if user.active == active:
            return {"id": user.id, **user_snapshot(user)}
        before = user_snapshot(user)
        user.active = active
        revoked = ended = 0
        if not active:
            tokens = uow.session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=uow.now)
            )
            sessions = uow.session.execute(delete(WebSession).where(WebSession.user_id == user.id))
            revoked, ended = _rowcount(tokens), _rowcount(sessions)
        uow.audit(
            person(actor),
            "user.activate" if active else "user.deactivate",
            ("user", user.id),
            before=before,
            after={**user_snapshot(user), "tokens_revoked": revoked, "sessions_ended": ended},
        )
        view = {"id": user.id, **user_snapshot(user)}
    db.auth_changed()
    return view


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _active_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise AuthenticationError("user is not active")
    return user


def token_digest(token: str) -> str:
    """What is stored of a token, and the token cache's key."""
    return _sha(token)


def actor_from_token(db: Database, token: str, cache: TokenCache | None = None) -> Actor:
    """The actor of a bearer token: one query, token and user together (every API
    request runs it). With ``cache``, a valid answer is kept for the worker's next
    requests (services/token_cache.py)."""
    digest = _sha(token)
    generation = cache.generation() if cache is not None else 0
    with db.sessions() as session:
        found = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).one_or_none()
        if found is None:
            raise AuthenticationError("invalid or expired token")
        row, user = found
        if row.revoked_at is not None or row.expires_at <= db.clock():
            raise AuthenticationError("invalid or expired token")
        if not user.active:
            raise AuthenticationError("user is not active")
        actor = _actor(user)
    if cache is not None:
        cache.put(digest, actor, row.expires_at, generation)
    return actor


def start_session(
    db: Database, email: str, password: str, *, hours: int, client: str | None = None
) -> tuple[str, str]:
    """Log in for pages: returns (session token for the cookie, CSRF token)."""
    actor = authenticate_login(db, email, password, client=client)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with db.unit_of_work() as uow:
        uow.session.add(
            WebSession(
                user_id=actor.user_id,
                token_hash=_sha(token),
                csrf_token=csrf,
                created_at=uow.now,
                expires_at=uow.now + timedelta(hours=hours),
            )
        )
        uow.audit(actor.user_id, "session.start", ("user", actor.user_id))
    return token, csrf


def actor_from_session(db: Database, token: str) -> tuple[Actor, str]:
    """The actor of a page session and its CSRF token: one query, as for tokens."""
    with db.sessions() as session:
        found = session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == _sha(token))
        ).one_or_none()
        if found is None or found[0].expires_at <= db.clock():
            raise AuthenticationError("session expired")
        row, user = found
        if not user.active:
            raise AuthenticationError("user is not active")
        return _actor(user), row.csrf_token


def end_session(db: Database, token: str) -> None:
    with db.unit_of_work() as uow:
        row = uow.session.execute(
            select(WebSession).where(WebSession.token_hash == _sha(token))
        ).scalar_one_or_none()
        if row is None:
            raise NotFoundError("session", "current")
        uow.session.delete(row)
        uow.audit(row.user_id, "session.end", ("user", row.user_id))


def list_users(db: Database, actor: Actor) -> list[dict[str, Any]]:
    authorize(actor, "user.manage")
    with db.sessions() as session:
        users = session.execute(select(User).order_by(User.id)).scalars()
        return [{"id": u.id, **user_snapshot(u)} for u in users]


def get_me(db: Database, actor: Actor) -> dict[str, Any]:
    with db.sessions() as session:
        user = _active_user(session, actor.user_id)
        org = session.get(Organisation, user.organisation_id)
        assert org is not None
        return {
            "id": user.id,
            **user_snapshot(user),
            "organisation": {"id": org.id, "kind": org.kind, "code": org.code, "name": org.name},
        }


def list_organisations(db: Database, actor: Actor, kind: str | None = None) -> list[dict[str, Any]]:
    authorize(actor, "organisation.read")
    with db.sessions() as session:
        query = select(Organisation).order_by(Organisation.id)
        if kind is not None:
            query = query.where(Organisation.kind == kind)
        return [
            {"id": o.id, "kind": o.kind, "code": o.code, "name": o.name}
            for o in session.execute(query).scalars()
        ]
