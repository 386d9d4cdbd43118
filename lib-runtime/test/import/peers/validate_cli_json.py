"""Validates App Mesh CLI JSON against the App Mesh service model that the AWS CLI uses (botocore).

Reads a JSON list of {"operation": "CreateVirtualNode", "params": {...}} from stdin and prints a
JSON list with botocore's validation report for each (empty string when valid), the check the AWS
CLI runs on --cli-input-json before it sends a request.
"""
import json
import sys

import botocore.session
import botocore.validate

model = botocore.session.get_session().get_service_model('appmesh')
validator = botocore.validate.ParamValidator()
reports = []
for item in json.load(sys.stdin):
    result = validator.validate(item['params'], model.operation_model(item['operation']).input_shape)
    reports.append(result.generate_report() if result.has_errors() else '')
json.dump(reports, sys.stdout)
