"""Drives every Entity Resolution, Data Exchange and Clean Rooms operation the sandbox implements through botocore's own
clients and checks each answer against botocore's service models (shape_check.py), not against our code.

    npm run sandbox:check-models [-- http://127.0.0.1:4566]   (default: AWS_ENDPOINT_URL, else that URL)

Prints one line per deviation, then {"operations", "calls", "checks", "deviations", "called"} as JSON; exit 1 on any deviation.
It uses the sandbox's admin API (/_sandbox, SANDBOX_ADMIN_TOKEN if set) to approve the UID2 Data Exchange subscription and to make Clean Rooms memberships.
"""

import argparse
import json
import os
import sys
import time
import urllib.request
import uuid

import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shape_check import Tally, check_error, check_success

REGION = "us-east-1"
CHECKED_SERVICES = ("entityresolution", "dataexchange", "cleanrooms", "glue", "secretsmanager")
# ValidationException is how AWS's request validation answers any constraint violation, also for an operation
# whose model omits it from its error list (UntagResource's lists none).
COMMON_ERRORS = {"ValidationException"}


class Client:
    """A botocore client whose every call is recorded off the wire and checked against the model."""

    def __init__(self, runner, service, endpoint, check=True):
        session = botocore.session.get_session()
        self.client = session.create_client(
            service,
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
            # The sandbox judges the input, not botocore; one attempt, so each answer is seen as sent.
            config=Config(parameter_validation=False, inject_host_prefix=False, retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}),
        )
        self.runner = runner
        self.service = service
        self.check = check
        self.last = None
        self.client.meta.events.register("after-call", self._record)

    def _record(self, http_response, parsed, model, **_):
        self.last = (http_response.status_code, {k.lower(): v for k, v in http_response.headers.items()}, http_response.content, parsed, model)

    def __call__(self, operation, expect=None, **params):
        """Calls `operation` (its model name); `expect` is None for success or the error code(s) the scenario expects."""
        return self.runner.call(self, operation, expect, params)


class Runner:
    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")
        self.tally = Tally()
        self.calls = 0
        self.called = set()

    def call(self, client, operation, expect, params):
        where = f"{client.service}.{operation}"
        client.last = None
        method = getattr(client.client, xform_name(operation))
        result = None
        try:
            result = method(**params)
        except ClientError as err:
            result = err.response
        except BotoCoreError as err:
            self.tally.check(False, where, f"botocore could not complete the call: {type(err).__name__}: {err}")
        self.calls += 1
        if client.last is None:
            self.tally.check(False, where, "no HTTP answer recorded")
            return None
        status, headers, body, parsed, model = client.last
        if client.check:
            self.called.add(f"{client.service}:{operation}")
        self.tally.check(status < 500, where, f"the sandbox answered HTTP {status}")
        expected = set([expect] if isinstance(expect, str) or expect is None else expect)
        if status < 300:
            self.tally.check(None in expected, where, f"succeeded where {sorted(e for e in expected if e)} was expected")
            if client.check:
                check_success(self.tally, where, model, status, headers, body, parsed)
            return parsed
        code = parsed.get("Error", {}).get("Code")
        if client.check:
            code = check_error(self.tally, where, client.client.meta.service_model, model, status, headers, body, parsed, COMMON_ERRORS)
        self.tally.check(code in expected, where, f"answered {code} (HTTP {status}) where {sorted(e or 'success' for e in expected)} was expected")
        return None

    def admin(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        token = os.environ.get("SANDBOX_ADMIN_TOKEN")
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/_sandbox{path}", data=data, method=method, headers=headers)) as res:
            return json.loads(res.read())


def max_results_bounds(client, operation):
    shape = client.client.meta.service_model.operation_model(operation).input_shape.members
    member = next(m for name, m in shape.items() if name.lower() == "maxresults")
    return member.metadata.get("min", 1), member.metadata.get("max")


def check_list(client, operation, list_key, expected_names=None, name_key=None, **params):
    """A list operation: maxResults at its bounds and past them, every page followed at the smallest size, a garbage nextToken refused."""
    capitalised = client.service in ("dataexchange", "glue")
    token_key = "NextToken" if capitalised else "nextToken"
    max_key = "MaxResults" if capitalised else "maxResults"
    low, high = max_results_bounds(client, operation)
    client(operation, **params, **{max_key: low - 1}, expect="ValidationException")
    if high is not None:
        client(operation, **params, **{max_key: high})
        client(operation, **params, **{max_key: high + 1}, expect="ValidationException")
    # Glue answers a token it did not issue with its own InvalidInputException (the model cannot state it).
    client(operation, **params, **{token_key: "not-a-token-the-service-issued"}, expect="InvalidInputException" if client.service == "glue" else "ValidationException")
    seen, token = [], None
    for _ in range(100):
        page = client(operation, **params, **{max_key: low}, **({token_key: token} if token else {}))
        if page is None:
            break
        items = page.get(list_key, [])
        client.runner.tally.check(len(items) <= low, f"{client.service}.{operation}", f"page of {len(items)} items with maxResults {low}")
        seen.extend(items)
        token = page.get(token_key)
        if not token:
            break
    if expected_names is not None:
        names = {item[name_key] for item in seen}
        client.runner.tally.check(
            set(expected_names) <= names, f"{client.service}.{operation}", f"the pages miss {sorted(set(expected_names) - names)}"
        )
    return seen


def glue_catalog(glue, database, bucket):
    """The Glue calls the project makes (moto answers them behind the sandbox), their errors, and paging."""
    columns = [{"Name": c, "Type": "string"} for c in ("customer_id", "email", "phone")]
    glue("GetDatabase", Name=database)
    glue("CreateDatabase", DatabaseInput={"Name": database}, expect="AlreadyExistsException")
    glue("CreateDatabase", DatabaseInput={"Name": "x" * 256}, expect="ValidationException")
    glue("GetTable", DatabaseName=database, Name="customers")
    glue("GetTable", DatabaseName=database, Name="absent", expect="EntityNotFoundException")
    glue("GetTable", DatabaseName=database + "_absent", Name="customers", expect="EntityNotFoundException")
    glue("CreateTable", DatabaseName=database, TableInput={"Name": "customers", "StorageDescriptor": {"Columns": columns}}, expect="AlreadyExistsException")
    spares = [f"spare_{i}" for i in range(3)]
    for spare in spares:
        glue("CreateTable", DatabaseName=database, TableInput={"Name": spare, "StorageDescriptor": {"Location": f"s3://{bucket}/{spare}/", "Columns": columns}})
    glue("UpdateTable", DatabaseName=database, TableInput={"Name": spares[0], "StorageDescriptor": {"Location": f"s3://{bucket}/moved/", "Columns": columns}})
    glue("UpdateTable", DatabaseName=database, TableInput={"Name": "absent", "StorageDescriptor": {"Columns": columns}}, expect="EntityNotFoundException")
    check_list(glue, "GetTables", "TableList", ["customers", *spares], "Name", DatabaseName=database)
    check_list(glue, "GetDatabases", "DatabaseList", [database], "Name")
    for spare in spares:
        glue("DeleteTable", DatabaseName=database, Name=spare)
    glue("DeleteTable", DatabaseName=database, Name="absent", expect="EntityNotFoundException")


def secrets(runner, run):
    """Secrets Manager as moto answers it behind the sandbox: create, read, update, delete, and unknown ids."""
    sm = Client(runner, "secretsmanager", runner.endpoint)
    secret = f"ic{run}/tiktok"
    sm("CreateSecret", Name=secret, SecretString=json.dumps({"ACCESS_TOKEN": "t", "ADVERTISER_ID": "1"}))
    sm("CreateSecret", Name=secret, SecretString="{}", expect="ResourceExistsException")
    sm("GetSecretValue", SecretId=secret)
    sm("PutSecretValue", SecretId=secret, SecretString=json.dumps({"ACCESS_TOKEN": "u", "ADVERTISER_ID": "1"}))
    sm("DescribeSecret", SecretId=secret)
    sm("GetSecretValue", SecretId=f"ic{run}/absent", expect="ResourceNotFoundException")
    sm("GetSecretValue", SecretId="", expect="ValidationException")
    sm("DeleteSecret", SecretId=secret, ForceDeleteWithoutRecovery=True)


def scenario(runner):
    er = Client(runner, "entityresolution", runner.endpoint)
    dx = Client(runner, "dataexchange", runner.endpoint)
    s3 = Client(runner, "s3", runner.endpoint, check=False)
    glue = Client(runner, "glue", runner.endpoint)
    run = uuid.uuid4().hex[:6]
    name = lambda base: f"ic{run}_{base}"  # noqa: E731

    # Provider services: list, then each one by its ARN.
    providers = check_list(er, "ListProviderServices", "providerServiceSummaries")
    for p in providers:
        er("GetProviderService", providerName=p["providerName"], providerServiceName=p["providerServiceArn"])
    uid2 = next((p for p in providers if p["providerName"] == "UID2"), None)
    er("ListProviderServices", providerName="UID2")
    er("GetProviderService", providerName="UID2", providerServiceName=f"arn:aws:entityresolution:{REGION}::providerservice/UID2/nope", expect="ResourceNotFoundException")

    # Schema mappings.
    fields = [
        {"fieldName": "customer_id", "type": "UNIQUE_ID"},
        {"fieldName": "email", "type": "EMAIL_ADDRESS", "matchKey": "Email"},
        {"fieldName": "phone", "type": "PHONE_NUMBER", "matchKey": "Phone"},
    ]
    schemas = [name("customers"), name("plain"), name("spare")]
    created = er("CreateSchemaMapping", schemaName=schemas[0], description="customers of the check", mappedInputFields=fields, tags={"team": "check"})
    er("CreateSchemaMapping", schemaName=schemas[1], mappedInputFields=fields)
    er("CreateSchemaMapping", schemaName=schemas[2], mappedInputFields=fields[:2])
    er("CreateSchemaMapping", schemaName=schemas[0], mappedInputFields=fields, expect="ConflictException")
    er("CreateSchemaMapping", schemaName=name("long"), description="d" * 256, mappedInputFields=fields, expect="ValidationException")
    er("CreateSchemaMapping", schemaName="bad name!", mappedInputFields=fields, expect="ValidationException")
    er("CreateSchemaMapping", schemaName=name("nouid"), mappedInputFields=fields[1:], expect="ValidationException")
    er("CreateSchemaMapping", schemaName=name("one"), mappedInputFields=fields[:1], expect="ValidationException")
    er("GetSchemaMapping", schemaName=schemas[0])
    er("GetSchemaMapping", schemaName=schemas[1])
    er("GetSchemaMapping", schemaName=name("absent"), expect="ResourceNotFoundException")
    er("UpdateSchemaMapping", schemaName=schemas[1], description="now described", mappedInputFields=fields)
    er("UpdateSchemaMapping", schemaName=name("absent"), mappedInputFields=fields, expect="ResourceNotFoundException")
    check_list(er, "ListSchemaMappings", "schemaList", schemas, "schemaName")
    account = created["schemaArn"].split(":")[4] if created else "000000000000"

    # A Glue table over a small CSV in the sandbox's S3.
    bucket_in, bucket_out = f"ic{run}-input", f"ic{run}-output"
    s3("CreateBucket", Bucket=bucket_in)
    s3("CreateBucket", Bucket=bucket_out)
    csv = "customer_id,email,phone\nc1,ann@example.com,+14155550100\nc2,ANN@example.com,\nc3,bob@example.org,+14155550101\n"
    s3("PutObject", Bucket=bucket_in, Key="customers/part-0.csv", Body=csv.encode())
    database = f"ic{run}_db"
    glue("CreateDatabase", DatabaseInput={"Name": database})
    glue(
        "CreateTable",
        DatabaseName=database,
        TableInput={"Name": "customers", "StorageDescriptor": {"Location": f"s3://{bucket_in}/customers/", "Columns": [{"Name": c, "Type": "string"} for c in ("customer_id", "email", "phone")]}},
    )
    glue_catalog(glue, database, bucket_in)
    table_arn = f"arn:aws:glue:{REGION}:{account}:table/{database}/customers"
    role = f"arn:aws:iam::{account}:role/EntityResolutionWorkflowRole"

    # Matching workflows: rule-based and provider.
    rules, provider = name("rules"), name("provider")
    rule_workflow = {
        "inputSourceConfig": [{"inputSourceARN": table_arn, "schemaName": schemas[0]}],
        "outputSourceConfig": [{"outputS3Path": f"s3://{bucket_out}/rules/", "output": [{"name": "email"}], "applyNormalization": True}],
        "resolutionTechniques": {"resolutionType": "RULE_MATCHING", "ruleBasedProperties": {"rules": [{"ruleName": "email", "matchingKeys": ["Email"]}], "attributeMatchingModel": "ONE_TO_ONE"}},
        "roleArn": role,
    }
    workflow = er("CreateMatchingWorkflow", workflowName=rules, description="rules of the check", tags={"team": "check"}, **rule_workflow)
    if uid2:
        er(
            "CreateMatchingWorkflow",
            workflowName=provider,
            inputSourceConfig=[{"inputSourceARN": table_arn, "schemaName": schemas[2]}],
            outputSourceConfig=[{"outputS3Path": f"s3://{bucket_out}/uid2/", "output": [{"name": "email"}]}],
            resolutionTechniques={"resolutionType": "PROVIDER", "providerProperties": {"providerServiceArn": uid2["providerServiceArn"]}},
            roleArn=role,
        )
    er("CreateMatchingWorkflow", workflowName=rules, **rule_workflow, expect="ConflictException")
    er("CreateMatchingWorkflow", workflowName=name("noschema"), **{**rule_workflow, "inputSourceConfig": [{"inputSourceARN": table_arn, "schemaName": name("absent")}]}, expect="ValidationException")
    er("CreateMatchingWorkflow", workflowName=name("badrole"), **{**rule_workflow, "roleArn": "not-an-arn"}, expect="ValidationException")
    er("GetMatchingWorkflow", workflowName=rules)
    er("GetMatchingWorkflow", workflowName=provider)
    er("GetMatchingWorkflow", workflowName=name("absent"), expect="ResourceNotFoundException")
    er("UpdateMatchingWorkflow", workflowName=rules, description="rules, updated", **rule_workflow)
    er("UpdateMatchingWorkflow", workflowName=name("absent"), **rule_workflow, expect="ResourceNotFoundException")
    check_list(er, "ListMatchingWorkflows", "workflowSummaries", [rules, provider] if uid2 else [rules], "workflowName")
    er("UpdateSchemaMapping", schemaName=schemas[0], mappedInputFields=fields, expect="ConflictException")
    er("DeleteSchemaMapping", schemaName=schemas[0], expect="ConflictException")

    # Tags.
    if workflow:
        arn = workflow["workflowArn"]
        er("TagResource", resourceArn=arn, tags={"env": "check", "owner": "ops"})
        er("UntagResource", resourceArn=arn, tagKeys=["owner", "absent"])
        tags = er("ListTagsForResource", resourceArn=arn)
        runner.tally.check(tags is not None and tags.get("tags") == {"team": "check", "env": "check"}, "entityresolution.ListTagsForResource", "tags are not those given")
    missing_arn = f"arn:aws:entityresolution:{REGION}:{account}:matchingworkflow/{name('absent')}"
    er("TagResource", resourceArn=missing_arn, tags={"a": "b"}, expect="ResourceNotFoundException")
    er("UntagResource", resourceArn=missing_arn, tagKeys=["a"], expect="ResourceNotFoundException")
    er("ListTagsForResource", resourceArn=missing_arn, expect="ResourceNotFoundException")
    er("ListTagsForResource", resourceArn="arn:aws:s3:::bucket", expect="ValidationException")
    er("TagResource", resourceArn="arn:aws:s3:::bucket", tags={"a": "b"}, expect="ValidationException")
    er("UntagResource", resourceArn="arn:aws:s3:::bucket", tagKeys=["a"], expect="ValidationException")

    # A matching job over the CSV, polled to its end; a second start while it runs conflicts.
    started = er("StartMatchingJob", workflowName=rules)
    er("StartMatchingJob", workflowName=name("absent"), expect="ResourceNotFoundException")
    if started:
        er("StartMatchingJob", workflowName=rules, expect="ConflictException")
        deadline = time.monotonic() + 120
        job = None
        while time.monotonic() < deadline:
            job = er("GetMatchingJob", workflowName=rules, jobId=started["jobId"])
            if job is None or job["status"] in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.2)
        runner.tally.check(job is not None and job["status"] == "SUCCEEDED", "entityresolution.GetMatchingJob", f"the job ended {job and job.get('status')}")
    er("GetMatchingJob", workflowName=rules, jobId="0" * 32, expect="ResourceNotFoundException")
    check_list(er, "ListMatchingJobs", "jobs", workflowName=rules)
    er("ListMatchingJobs", workflowName=name("absent"), expect="ResourceNotFoundException")

    # GetMatchId over the run's matches.
    er("GetMatchId", workflowName=rules, record={"email": "ann@example.com"})
    er("GetMatchId", workflowName=rules, record={"email": "nobody@example.net"}, applyNormalization=False)
    er("GetMatchId", workflowName=name("absent"), record={"email": "ann@example.com"}, expect="ResourceNotFoundException")
    if uid2:
        er("GetMatchId", workflowName=provider, record={"email": "ann@example.com"}, expect="ValidationException")

    # ID namespaces, by name and by ARN.
    target, source = name("target"), name("source")
    ns = er("CreateIdNamespace", idNamespaceName=target, type="TARGET", tags={"team": "check"})
    er("CreateIdNamespace", idNamespaceName=source, type="SOURCE", description="a source", inputSourceConfig=[{"inputSourceARN": table_arn, "schemaName": schemas[0]}], roleArn=role)
    er("CreateIdNamespace", idNamespaceName=target, type="TARGET", expect="ConflictException")
    er("CreateIdNamespace", idNamespaceName=name("badtype"), type="BOTH", expect="ValidationException")
    er("CreateIdNamespace", idNamespaceName=name("long"), type="TARGET", description="d" * 256, expect="ValidationException")
    er("GetIdNamespace", idNamespaceName=target)
    er("GetIdNamespace", idNamespaceName=source)
    if ns:
        er("GetIdNamespace", idNamespaceName=ns["idNamespaceArn"])
    er("GetIdNamespace", idNamespaceName=name("absent"), expect="ResourceNotFoundException")
    er("UpdateIdNamespace", idNamespaceName=target, description="updated")
    er("UpdateIdNamespace", idNamespaceName=name("absent"), description="x", expect="ResourceNotFoundException")
    check_list(er, "ListIdNamespaces", "idNamespaceSummaries", [target, source], "idNamespaceName")
    er("DeleteIdNamespace", idNamespaceName=target)
    er("DeleteIdNamespace", idNamespaceName=source)
    er("DeleteIdNamespace", idNamespaceName=name("absent"), expect="ResourceNotFoundException")

    # Deletes; an unknown name is ResourceNotFoundException, as the operations' model documentation says.
    er("DeleteMatchingWorkflow", workflowName=rules)
    er("DeleteMatchingWorkflow", workflowName=provider)
    er("DeleteMatchingWorkflow", workflowName=name("absent"), expect="ResourceNotFoundException")
    for schema in schemas:
        er("DeleteSchemaMapping", schemaName=schema)
    er("DeleteSchemaMapping", schemaName=name("absent"), expect="ResourceNotFoundException")

    # Data Exchange: the UID2 data set once the subscription is approved.
    listing = None
    if uid2:
        detail = er("GetProviderService", providerName="UID2", providerServiceName=uid2["providerServiceArn"])
        listing = detail and detail.get("providerEndpointConfiguration", {}).get("marketplaceConfiguration")
    if listing:
        data_set = listing["dataSetId"]
        runner.admin("POST", "/data-exchange/revoke", {"dataSetId": data_set})
        dx("GetDataSet", DataSetId=data_set, expect="ResourceNotFoundException")
        runner.admin("POST", "/data-exchange/entitle", {"dataSetId": data_set})
        check_list(dx, "ListDataSets", "DataSets", [data_set], "Id", Origin="ENTITLED")
        dx("ListDataSets", Origin="OWNED")
        dx("ListDataSets", Origin="BOTH", expect="ValidationException")
        dx("GetAsset", DataSetId=data_set, RevisionId="0" * 32, AssetId=listing["assetId"], expect="ResourceNotFoundException")
        dx("GetDataSet", DataSetId=data_set)
        dx("GetAsset", DataSetId=data_set, RevisionId=listing["revisionId"], AssetId=listing["assetId"])
        dx("GetAsset", DataSetId=data_set, RevisionId=listing["revisionId"], AssetId="0" * 32, expect="ResourceNotFoundException")
    dx("GetDataSet", DataSetId="0" * 32, expect="ResourceNotFoundException")
    clean_rooms(runner, er, name)
    secrets(runner, run)


def clean_rooms(runner, er, name):
    """Memberships (made through the admin API) and their ID namespace associations."""
    cr = Client(runner, "cleanrooms", runner.endpoint)
    unknown = str(uuid.uuid4())
    membership = runner.admin("POST", "/clean-rooms/memberships", {"collaborationName": "independent check"})["membership"]
    removed = runner.admin("POST", "/clean-rooms/memberships", {"status": "REMOVED"})["membership"]
    m = membership["id"]
    cr("GetMembership", membershipIdentifier=m)
    cr("GetMembership", membershipIdentifier=unknown, expect="ResourceNotFoundException")
    cr("GetMembership", membershipIdentifier="not-a-uuid", expect="ValidationException")
    check_list(cr, "ListMemberships", "membershipSummaries", [m, removed["id"]], "id")
    check_list(cr, "ListMemberships", "membershipSummaries", [removed["id"]], "id", status="REMOVED")
    cr("ListMemberships", status="GONE", expect="ValidationException")

    namespaces = []
    for base in ("cr_source_a", "cr_source_b"):
        created = er(
            "CreateIdNamespace",
            idNamespaceName=name(base),
            type="SOURCE",
            idMappingWorkflowProperties=[{"idMappingType": "RULE_BASED", "ruleBasedProperties": {"ruleDefinitionTypes": ["TARGET"]}}],
        )
        namespaces.append(created and created["idNamespaceArn"])
    first, second = namespaces
    config = lambda arn: {"inputReferenceArn": arn, "manageResourcePolicies": True}  # noqa: E731
    association = cr("CreateIdNamespaceAssociation", membershipIdentifier=m, name=name("assoc"), description="AMC identities", inputReferenceConfig=config(first), tags={"team": "check"})
    cr("CreateIdNamespaceAssociation", membershipIdentifier=m, name=name("assoc_b"), inputReferenceConfig=config(second), idMappingConfig={"allowUseAsDimensionColumn": False})
    cr("CreateIdNamespaceAssociation", membershipIdentifier=m, name=name("assoc"), inputReferenceConfig=config(second), expect="ConflictException")
    absent = first.rsplit("/", 1)[0] + "/" + name("absent") if first else "arn:aws:entityresolution:us-east-1:000000000000:idnamespace/absent"
    cr("CreateIdNamespaceAssociation", membershipIdentifier=m, name=name("none"), inputReferenceConfig=config(absent), expect="ResourceNotFoundException")
    cr("CreateIdNamespaceAssociation", membershipIdentifier=unknown, name=name("none"), inputReferenceConfig=config(first), expect="ResourceNotFoundException")
    cr("CreateIdNamespaceAssociation", membershipIdentifier=m, name="n" * 101, inputReferenceConfig=config(first), expect="ValidationException")
    cr("CreateIdNamespaceAssociation", membershipIdentifier=m, name=name("badarn"), inputReferenceConfig=config("arn:aws:glue:us-east-1:000000000000:table/a/b"), expect="ValidationException")
    check_list(cr, "ListIdNamespaceAssociations", "idNamespaceAssociationSummaries", [name("assoc"), name("assoc_b")], "name", membershipIdentifier=m)
    cr("ListIdNamespaceAssociations", membershipIdentifier=unknown, expect="ResourceNotFoundException")
    if association:
        ids = {"membershipIdentifier": m, "idNamespaceAssociationIdentifier": association["idNamespaceAssociation"]["id"]}
        cr("GetIdNamespaceAssociation", **ids)
        cr("UpdateIdNamespaceAssociation", **ids, description="updated", idMappingConfig={"allowUseAsDimensionColumn": True})
        cr("UpdateIdNamespaceAssociation", **ids, description="d" * 256, expect="ValidationException")
        cr("DeleteIdNamespaceAssociation", **ids)
        cr("GetIdNamespaceAssociation", **ids, expect="ResourceNotFoundException")
        cr("UpdateIdNamespaceAssociation", **ids, description="gone", expect="ResourceNotFoundException")
        cr("DeleteIdNamespaceAssociation", **ids, expect="ResourceNotFoundException")

    protected_queries(runner, cr, m, removed["id"], unknown, name)


def protected_queries(runner, cr, m, removed, unknown, name):
    """Protected queries: the rows a query returns are registered first (the sandbox evaluates no SQL); results land in S3."""
    s3 = Client(runner, "s3", runner.endpoint, check=False)
    bucket = name("results").replace("_", "-")
    s3("CreateBucket", Bucket=bucket)
    s3("PutObject", Bucket=bucket, Key="source/rows.csv", Body=b"email\na@example.com\n")
    sql = f"SELECT email FROM customers -- {name('q')}"
    runner.admin("PUT", "/clean-rooms/query-sources", {"match": {"sql": sql}, "source": f"s3://{bucket}/source/rows.csv"})
    runner.admin("PUT", "/clean-rooms/query-durations", {"submittedMs": 0, "runningMs": 0})
    start = lambda membership, **extra: cr(  # noqa: E731
        "StartProtectedQuery",
        type="SQL",
        membershipIdentifier=membership,
        sqlParameters={"queryString": sql},
        resultConfiguration={"outputConfiguration": {"s3": {"resultFormat": "CSV", "bucket": bucket, "keyPrefix": "results"}}},
        **extra,
    )
    done = start(m)
    start(unknown, expect="ResourceNotFoundException")
    start(removed, expect="AccessDeniedException")
    cr("StartProtectedQuery", type="PYTHON", membershipIdentifier=m, sqlParameters={"queryString": sql}, expect="ValidationException")
    ids = []
    if done:
        q = {"membershipIdentifier": m, "protectedQueryIdentifier": done["protectedQuery"]["id"]}
        ids.append(q["protectedQueryIdentifier"])
        got = cr("GetProtectedQuery", **q)
        runner.tally.check(bool(got) and got["protectedQuery"]["status"] == "SUCCESS", "cleanrooms.GetProtectedQuery", f"status {got and got['protectedQuery']['status']}, not SUCCESS")
        cr("UpdateProtectedQuery", **q, targetStatus="CANCELLED", expect="ConflictException")
    cr("GetProtectedQuery", membershipIdentifier=m, protectedQueryIdentifier=unknown, expect="ResourceNotFoundException")
    runner.admin("PUT", "/clean-rooms/query-durations", {"runningMs": 3_600_000})
    running = start(m)
    if running:
        q = {"membershipIdentifier": m, "protectedQueryIdentifier": running["protectedQuery"]["id"]}
        ids.append(q["protectedQueryIdentifier"])
        cr("UpdateProtectedQuery", **q, targetStatus="SUCCESS", expect="ValidationException")
        cr("UpdateProtectedQuery", **q, targetStatus="CANCELLED")
    check_list(cr, "ListProtectedQueries", "protectedQueries", ids, "id", membershipIdentifier=m)
    cr("ListProtectedQueries", membershipIdentifier=m, status="DONE", expect="ValidationException")
    cr("ListProtectedQueries", membershipIdentifier=unknown, expect="ResourceNotFoundException")
    runner.admin("PUT", "/clean-rooms/query-durations", {"submittedMs": 500, "runningMs": 1500})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    parser.add_argument("endpoint", nargs="?", default=default, help=f"the sandbox's URL (default: AWS_ENDPOINT_URL or {default})")
    args = parser.parse_args()
    runner = Runner(args.endpoint)
    try:
        scenario(runner)
    except Exception as err:  # a scenario that cannot go on is a deviation too
        runner.tally.check(False, "scenario", f"stopped: {type(err).__name__}: {err}")
    for line in runner.tally.deviations:
        print(line)
    print(
        json.dumps(
            {
                "operations": len(runner.called),
                "calls": runner.calls,
                "checks": runner.tally.checks,
                "deviations": len(runner.tally.deviations),
                "called": sorted(c for c in runner.called if c.split(":")[0] in CHECKED_SERVICES),
            }
        )
    )
    sys.exit(1 if runner.tally.deviations else 0)


if __name__ == "__main__":
    main()
