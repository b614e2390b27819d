"""Deploy records (``DEPLOY#<id>``/``META``) and alarm watches (``ALARM#<name>``/``WATCH``).

The deploy record is what operators read (docs/deploys.md): status, the planned ``steps``, the current
``step_index`` and ``weights``, ``weight_history``, per-step ``analysis``, and while the execution waits
on a task token, ``waiting: {kind, token, step_index, since, timeout_at}``. Every write is conditioned
on the execution that owns the record, so a second execution reusing the id cannot scribble on it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws import keys
from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.dynamo import values
from fargate_ops.aws.keys import key
from fargate_ops.aws.table import CONDITION_FAILED, Table


class DeployRecords(Table):
    def get_deploy(self, deploy_id: str) -> dict[str, Any] | None:
        return self._get(keys.deploy(deploy_id), keys.META)

    def update_deploy(
        self,
        deploy_id: str,
        execution: str,
        fields: Mapping[str, Any],
        *,
        remove: Collection[str] = (),
        append: Mapping[str, list[Any]] | None = None,
    ) -> bool:
        """SET ``fields``, REMOVE ``remove``, list-append ``append`` on our record, in one write.

        False if there is no record (or it is another execution's).
        """
        names: dict[str, str] = {}
        vals: dict[str, Any] = {}
        sets: list[str] = []
        for i, (name, value) in enumerate(fields.items()):
            names[f"#f{i}"] = name
            vals[f"v{i}"] = value
            sets.append(f"#f{i} = :v{i}")
        for i, (name, entries) in enumerate((append or {}).items()):
            names[f"#a{i}"] = name
            vals[f"a{i}"] = list(entries)
            sets.append(f"#a{i} = list_append(if_not_exists(#a{i}, :empty), :a{i})")
        if append:
            vals["empty"] = []
        removes = []
        for i, name in enumerate(remove):
            names[f"#r{i}"] = name
            removes.append(f"#r{i}")
        expression = " ".join(
            part
            for part in (
                f"SET {', '.join(sets)}" if sets else "",
                f"REMOVE {', '.join(removes)}" if removes else "",
            )
            if part
        )
        if not expression:
            return True
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.deploy(deploy_id), keys.META),
                UpdateExpression=expression,
                ConditionExpression="execution = :execution",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**values(execution=execution), **values(**vals)},
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:UpdateItem") from err
        return True

    def finish_deploy(
        self, deploy_id: str, execution: str, fields: Mapping[str, Any], *, from_statuses: Collection[str]
    ) -> bool:
        """Write a final record, only while its status is one of ``from_statuses`` (and it is this
        execution's): of two reconcilers of one deploy, one finishes it. False if the condition failed."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        vals = {f"v{i}": value for i, value in enumerate(fields.values())}
        statuses = {f"s{i}": status for i, status in enumerate(from_statuses)}
        placeholders = [f":{name}" for name in statuses]
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.deploy(deploy_id), keys.META),
                UpdateExpression="SET " + ", ".join(f"{n} = :v{i}" for i, n in enumerate(names)),
                ConditionExpression=f"execution = :execution AND #status IN ({', '.join(placeholders)})",
                ExpressionAttributeNames={**names, "#status": "status"},
                ExpressionAttributeValues={**values(execution=execution), **values(**vals, **statuses)},
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:UpdateItem") from err
        return True

    def append_weights(self, deploy_id: str, execution: str, entry: Mapping[str, Any]) -> None:
        self.update_deploy(
            deploy_id,
            execution,
            {"weights": dict(entry["weights"])},
            append={"weight_history": [dict(entry)]},
        )

    def set_waiting(self, deploy_id: str, execution: str, waiting: Mapping[str, Any]) -> bool:
        """Record the token the execution now waits on, for operators (promote/approve/abort/rollback)."""
        return self.update_deploy(deploy_id, execution, {"waiting": dict(waiting)})

    # alarm watches: which running deploys watch an alarm (a string set of deploy ids per alarm)

    def watch_alarms(self, names: Collection[str], deploy_id: str) -> None:
        for name in names:
            self._alarm_set(name, deploy_id, "ADD")

    def unwatch_alarms(self, names: Collection[str], deploy_id: str) -> None:
        for name in names:
            self._alarm_set(name, deploy_id, "DELETE")

    def _alarm_set(self, name: str, deploy_id: str, verb: str) -> None:
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.alarm(name), keys.WATCH),
                UpdateExpression=f"{verb} deploy_ids :ids SET alarm_name = :name",
                ExpressionAttributeValues=values(ids={deploy_id}, name=name),
            )
        except ClientError as err:
            raise translate(err, "dynamodb:UpdateItem") from err

    def alarm_watchers(self, name: str) -> list[str]:
        """Deploy ids that watch ``name``, sorted (for a deterministic order of reactions)."""
        item = self._get(keys.alarm(name), keys.WATCH)
        return sorted(str(d) for d in (item or {}).get("deploy_ids", []))
