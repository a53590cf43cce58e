"""Worker Versioning: which Worker Deployment version a worker runs as, and the operator's steps of a rollout.

A worker with ``GUIDANCE_WORKER_VERSIONING=true`` polls as the version ``{deployment_name}.{build_id}``. New
workflows and the auto-upgrading periods and cohorts go to the deployment's *current* version (and a share of
them to a *ramping* one); pinned workflows (retention, selection decisions) end on the version they started on.
docs/operating.md, "Deploying a new worker", gives the operator's steps; `guidance setup` shows where they stand.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

from temporalio.api.deployment.v1 import WorkerDeploymentVersion as VersionProto
from temporalio.api.enums.v1 import VersionDrainageStatus, WorkerDeploymentVersionStatus
from temporalio.api.workflowservice.v1 import (
    DescribeWorkerDeploymentRequest,
    DescribeWorkerDeploymentVersionRequest,
    SetWorkerDeploymentCurrentVersionRequest,
    SetWorkerDeploymentRampingVersionRequest,
)
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import WorkerDeploymentConfig

from config.settings import AppSettings
from language.current import gettext as _

T = TypeVar("T")
PACKAGE = "guidance-engine"
#: How long a new worker's version may take to be known to the server with its task queues.
REGISTRATION_SECONDS = 60.0
#: The answers of the server while a version it has just seen polling is not yet ready to be made current.
_NOT_YET = {RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION}
#: The server limits the calls per deployment (each is an update of one internal workflow): asked too often, it
#: answers RESOURCE_EXHAUSTED, and the call is simply asked again a little later.
_BUSY = RPCStatusCode.RESOURCE_EXHAUSTED


class BuildIdUnknown(RuntimeError):
    """Worker Versioning is on but no build id is set and none can be read from git."""


def build_id(settings: AppSettings, checkout: Path | None = None) -> str:
    """The release's build id: ``GUIDANCE_BUILD_ID`` if set, else ``{package version}-g{commit}`` of the checkout.

    The commit names the code exactly (two builds of one commit run the same workflow code); the package version
    makes the id readable. An image has no git folder, so it is built with the id (Dockerfile, ``GUIDANCE_BUILD_ID``).

    Raises:
        BuildIdUnknown: Neither the setting nor git gives one.
    """
    if settings.build_id:
        return settings.build_id
    folder = checkout or Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise BuildIdUnknown(
            "GUIDANCE_WORKER_VERSIONING is on but GUIDANCE_BUILD_ID is not set, and this is no git checkout "
            "to take the commit from: set GUIDANCE_BUILD_ID to the release's id"
        ) from None
    try:
        release = version(PACKAGE)
    except PackageNotFoundError:
        release = "0"
    return f"{release}-g{commit}"


def deployment_config(settings: AppSettings) -> WorkerDeploymentConfig | None:
    """The worker's Worker Deployment options; None when versioning is off (the worker polls unversioned).

    Periods and cohorts auto-upgrade (the worker's default): they live for years and must move to each new version
    (their changes go behind `workflow.patched`). The short workflows, retention and selection decisions, are
    pinned: a versioned worker registers their pinned variants (`workflows.pinned`, where it says why the
    behaviour is not declared on the workflows themselves).
    """
    if not settings.worker_versioning:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(settings.deployment_name, build_id(settings)),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


@dataclass(frozen=True)
class VersionSummary:
    """One version of a deployment as the operator sees it."""

    build_id: str
    status: str  # inactive, ramping, current, draining, drained
    drainage: str  # unspecified, draining, drained (of pinned workflows, refreshed by the server every few minutes)


@dataclass(frozen=True)
class DeploymentSummary:
    """Where a deployment's rollout stands: its current and ramping versions and every version it knows."""

    name: str
    current: str | None  # a build id; None: unversioned workers take new workflows
    ramping: str | None
    ramping_percentage: float
    versions: tuple[VersionSummary, ...]


def _status_name(value: int) -> str:
    name = WorkerDeploymentVersionStatus.Name(value)  # type: ignore[arg-type]
    return name.removeprefix("WORKER_DEPLOYMENT_VERSION_STATUS_").lower()


def _drainage_name(value: int) -> str:
    return VersionDrainageStatus.Name(value).removeprefix("VERSION_DRAINAGE_STATUS_").lower()  # type: ignore[arg-type]


async def describe_deployment(client: Client, name: str) -> DeploymentSummary | None:
    """The deployment's routing and versions; None when no versioned worker has polled under that name yet."""
    request = DescribeWorkerDeploymentRequest(namespace=client.namespace, deployment_name=name)
    try:
        described = await _patiently(lambda: client.workflow_service.describe_worker_deployment(request))
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    info = described.worker_deployment_info
    routing = info.routing_config
    return DeploymentSummary(
        name=name,
        current=routing.current_deployment_version.build_id or None,
        ramping=routing.ramping_deployment_version.build_id or None,
        ramping_percentage=routing.ramping_version_percentage,
        versions=tuple(
            VersionSummary(
                build_id=summary.deployment_version.build_id,
                status=_status_name(summary.status),
                drainage=_drainage_name(summary.drainage_status),
            )
            for summary in info.version_summaries
        ),
    )


async def version_drainage(client: Client, version: WorkerDeploymentVersion) -> str:
    """The drainage of a version that is no longer current or ramping: ``draining`` while pinned workflows run on
    it, ``drained`` when none does (then its workers may stop), ``unspecified`` while it still takes new work."""
    request = DescribeWorkerDeploymentVersionRequest(
        namespace=client.namespace,
        deployment_version=VersionProto(deployment_name=version.deployment_name, build_id=version.build_id),
    )
    described = await _patiently(lambda: client.workflow_service.describe_worker_deployment_version(request))
    return _drainage_name(described.worker_deployment_version_info.drainage_info.status)


async def set_current(client: Client, version: WorkerDeploymentVersion) -> None:
    """Make `version` current: new workflows and every auto-upgrading period and cohort move to it.

    Waits (up to `REGISTRATION_SECONDS`) while the server does not know the version's workers yet: a worker
    just started polls before the server has registered its version.
    """
    request = SetWorkerDeploymentCurrentVersionRequest(
        namespace=client.namespace,
        deployment_name=version.deployment_name,
        build_id=version.build_id,
        identity=client.identity,
    )
    await _patiently(lambda: client.workflow_service.set_worker_deployment_current_version(request), _NOT_YET)


async def set_ramping(client: Client, version: WorkerDeploymentVersion, percentage: float) -> None:
    """Send `percentage` % of new workflows and auto-upgrading workflows to `version` (0: ramp stays, takes none)."""
    request = SetWorkerDeploymentRampingVersionRequest(
        namespace=client.namespace,
        deployment_name=version.deployment_name,
        build_id=version.build_id,
        percentage=percentage,
        identity=client.identity,
    )
    await _patiently(lambda: client.workflow_service.set_worker_deployment_ramping_version(request), _NOT_YET)


async def _patiently(call: Callable[[], Awaitable[T]], also: Collection[RPCStatusCode] = ()) -> T:
    """`call()`, asked again with growing pauses while the server is busy (or answers one of `also`), for at most
    `REGISTRATION_SECONDS`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REGISTRATION_SECONDS
    pause = 0.2
    while True:
        try:
            return await call()
        except RPCError as error:
            if (error.status != _BUSY and error.status not in also) or loop.time() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 2.0)


async def adopt_if_first(client: Client, version: WorkerDeploymentVersion) -> bool:
    """Make `version` current if its deployment has none yet; True if it did.

    The first versioned worker of a deployment would otherwise take no work at all (new workflows go to the
    current version, and there is none). Every later version waits for the operator (docs/operating.md).
    """
    summary = await _registered_deployment(client, version)
    if summary.current is not None or summary.ramping is not None:
        return False
    await set_current(client, version)
    return True


async def _registered_deployment(client: Client, version: WorkerDeploymentVersion) -> DeploymentSummary:
    """The deployment once the server lists `version` in it (a started worker's version appears within seconds)."""
    deadline = asyncio.get_running_loop().time() + REGISTRATION_SECONDS
    while True:
        summary = await describe_deployment(client, version.deployment_name)
        if summary is not None and any(v.build_id == version.build_id for v in summary.versions):
            return summary
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(
                f"the server did not list worker version {version.to_canonical_string()} "
                f"within {REGISTRATION_SECONDS:.0f} s"
            )
        await asyncio.sleep(0.5)


def rollout_steps(summary: DeploymentSummary | None, name: str) -> list[str]:
    """Where the deployment `name` stands and the operator's next commands (docs/operating.md), as lines to print."""
    if summary is None:
        lines = [
            _(
                "Worker deployment %(name)s: no versioned worker has polled yet. Start the worker with "
                "GUIDANCE_WORKER_VERSIONING=true and GUIDANCE_BUILD_ID=<release>; the first version makes itself "
                "current."
            )
            % {"name": name}
        ]
    else:
        current = summary.current or _("unversioned workers")
        if summary.ramping:
            lines = [
                _("Worker deployment %(name)s: current %(current)s, ramping %(ramping)s at %(percentage)s %%.")
                % {
                    "name": name,
                    "current": current,
                    "ramping": summary.ramping,
                    "percentage": f"{summary.ramping_percentage:g}",
                }
            ]
        else:
            lines = [_("Worker deployment %(name)s: current %(current)s.") % {"name": name, "current": current}]
        lines += [
            "  "
            + _("%(build_id)s: %(status)s, drainage %(drainage)s")
            % {"build_id": v.build_id, "status": v.status, "drainage": v.drainage}
            for v in summary.versions
        ]
    flags = f"--deployment-name {name} --build-id NEW"
    lines += [
        _("A new release: start its worker beside the running one (GUIDANCE_BUILD_ID=NEW), then"),
        f"  temporal worker deployment set-ramping-version {flags} --percentage 10",
        f"  temporal worker deployment set-current-version {flags}",
        f"  temporal worker deployment describe-version {flags.replace('NEW', 'OLD')}"
        "   # " + _("stop OLD's workers once its drainage is 'drained'"),
    ]
    return lines
