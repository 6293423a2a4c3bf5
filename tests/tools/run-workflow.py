#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run one job of a workflow file here, the way a GitHub runner would, for
the subset of syntax mlci's reusable workflows use; anything else is an
error, never silently skipped.

Usage: run-workflow.py WORKFLOW JOB INPUTS_JSON SECRETS_JSON

- The event comes from the environment as at a runner: GITHUB_EVENT_NAME,
  GITHUB_EVENT_PATH (the payload), GITHUB_REF_NAME, GITHUB_HEAD_REF,
  GITHUB_REPOSITORY...; the job runs in the current directory.
- Expressions ${{ ... }}: contexts github (event_name, event.*, ref_name,
  head_ref, repository, token), inputs (with the workflow_call defaults),
  secrets, steps.<id>.outputs.<name>, env; operators == != && || ! and
  parentheses; literals 'text', true, false, numbers; functions format(),
  always(), success(), failure().
- Steps: run: (bash -e, env:, working-directory:, shell: bash);
  uses: mlci/mlci/actions/<name>@ref runs ./actions/<name>/action.yml (a
  composite action of run: steps) with its inputs from with: and their
  defaults; actions/checkout, actions/upload-artifact and
  mlci/mlci/actions/setup are the runner's or the build's business and are
  skipped (the programs under test are on PATH).
Prints {"status": N, "steps": {id: {"outcome": ..., "outputs": {...}}}} and
exits with the job's status."""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIPPED_USES = ("actions/checkout@", "actions/upload-artifact@", "mlci/mlci/actions/setup@")


class Unsupported(Exception):
    pass


def tokens(src):
    spec = r"\s*(?:(\d+(?:\.\d+)?)|('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\)|,)|([A-Za-z_][\w.-]*))"
    pos, out = 0, []
    src = src.strip()
    while pos < len(src):
        m = re.compile(spec).match(src, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"expression {src!r} at {src[pos:]!r}")
        num, text, op, name = m.groups()
        if num is not None:
            out.append(("lit", float(num)))
        elif text is not None:
            out.append(("lit", text[1:-1].replace("''", "'")))
        elif op is not None:
            out.append(("op", op))
        else:
            out.append(("name", name))
        pos = m.end()
    return out


class Expr:
    """A recursive-descent evaluator of the subset above."""

    def __init__(self, ctx, src):
        self.ctx, self.t, self.i = ctx, tokens(src), 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def value(self):
        v = self.or_()
        if self.i != len(self.t):
            raise Unsupported(f"trailing tokens {self.t[self.i:]}")
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            r = self.and_()
            v = v if truthy(v) else r
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            r = self.cmp()
            v = r if truthy(v) else v
        return v

    def cmp(self):
        v = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            r = self.unary()
            eq = loose(v) == loose(r)
            v = eq if op == "==" else not eq
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self):
        kind, v = self.take()
        if kind == "lit":
            return v
        if (kind, v) == ("op", "("):
            r = self.or_()
            if self.take() != ("op", ")"):
                raise Unsupported("missing )")
            return r
        if kind != "name":
            raise Unsupported(f"unexpected {v!r}")
        if v in ("true", "false"):
            return v == "true"
        if self.peek() == ("op", "("):
            self.take()
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.or_())
                if self.peek() == ("op", ","):
                    self.take()
            self.take()
            return call(self.ctx, v, args)
        node = self.ctx
        for part in v.split("."):
            if not isinstance(node, dict):
                return ""
            node = node.get(part, "")
        return node


def truthy(v):
    return v not in ("", 0, 0.0, False, None)


def loose(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).lower() if isinstance(v, str) and v.lower() in ("true", "false") else str(v)


def call(ctx, name, args):
    if name == "format":
        return re.sub(r"\{(\d+)\}", lambda m: text(args[1 + int(m.group(1))]), args[0])
    if name == "always":
        return True
    if name == "success":
        return not ctx["__failed__"]
    if name == "failure":
        return ctx["__failed__"]
    raise Unsupported(f"function {name}()")


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def expand(ctx, s):
    """A string with every ${{ }} replaced by its value's text."""
    if not isinstance(s, str):
        return text(s)
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: text(Expr(ctx, m.group(1)).value()), s)


def condition(ctx, cond):
    if cond is None:
        return not ctx["__failed__"]
    if isinstance(cond, bool):
        return cond
    src = cond.strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", src, re.S)
    src = m.group(1) if m else src
    # As at GitHub: a condition without a status function means success() && (...).
    v = truthy(Expr(ctx, src).value())
    if not re.search(r"\b(always|success|failure|cancelled)\(", src):
        v = v and not ctx["__failed__"]
    return v


def read_commands(path):
    out, lines, i = {}, open(path).read().split("\n"), 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(body)
        else:
            name, _, v = line.partition("=")
            out[name] = v
    return out


def run_script(script, env, cwd):
    files = {}
    tmp = env["RUNNER_TEMP"]
    for var in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_PATH"):
        fd, files[var] = tempfile.mkstemp(dir=tmp, prefix=var.lower())
        os.close(fd)
    with tempfile.NamedTemporaryFile("w", dir=tmp, suffix=".sh", delete=False) as f:
        f.write(script)
    r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", f.name],
                       env=dict(env, **files), cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=sys.stderr)
    with open(files["GITHUB_STEP_SUMMARY"]) as s, open(os.path.join(tmp, "summary.md"), "a") as out:
        out.write(s.read())
    return r.returncode, read_commands(files["GITHUB_OUTPUT"])


def run_action(name, with_, step_env, env, ctx):
    path = os.path.join(TOP, "actions", name)
    action = yaml.safe_load(open(os.path.join(path, "action.yml")))
    if action["runs"]["using"] != "composite":
        raise Unsupported(f"{name}: not a composite action")
    inputs = {}
    for k, spec in (action.get("inputs") or {}).items():
        inputs[k] = expand(ctx, str((spec or {}).get("default", "")))
    for k, v in with_.items():
        if k not in inputs:
            raise Unsupported(f"{name} has no input {k}")
        inputs[k] = v
    actx = dict(ctx, inputs=inputs, steps={})
    status = 0
    for i, s in enumerate(action["runs"]["steps"]):
        if "run" not in s:
            raise Unsupported(f"{name}: step {i} is not a run: step")
        senv = dict(env, **step_env, GITHUB_ACTION_PATH=path)
        for k, v in (s.get("env") or {}).items():
            senv[k] = expand(actx, v)
        status, outs = run_script(s["run"], senv, os.getcwd())
        actx["steps"][s.get("id", f"__{i}")] = {"outputs": outs}
        if status:
            break
    outputs = {k: expand(actx, (spec or {}).get("value", "")) for k, spec in (action.get("outputs") or {}).items()}
    return status, outputs


def main():
    wf_path, job_name, inputs_json, secrets_json = sys.argv[1:5]
    wf = yaml.safe_load(open(wf_path))
    on = wf.get(True) or wf.get("on")
    call = on["workflow_call"]
    inputs = {k: spec.get("default", "") for k, spec in (call.get("inputs") or {}).items()}
    given = json.loads(inputs_json)
    for k in given:
        if k not in inputs:
            raise Unsupported(f"the workflow has no input {k}")
    inputs.update(given)
    for k, spec in (call.get("inputs") or {}).items():
        if spec.get("required") and k not in given:
            raise Unsupported(f"input {k} is required")
    event = {}
    if os.environ.get("GITHUB_EVENT_PATH"):
        event = json.load(open(os.environ["GITHUB_EVENT_PATH"]))
    github = {
        "event_name": os.environ.get("GITHUB_EVENT_NAME", ""),
        "event": event,
        "ref_name": os.environ.get("GITHUB_REF_NAME", ""),
        "head_ref": os.environ.get("GITHUB_HEAD_REF", ""),
        "repository": os.environ.get("GITHUB_REPOSITORY", ""),
        "token": os.environ.get("RUNNER_GITHUB_TOKEN", "ghs_runner_token"),
    }
    ctx = {"github": github, "inputs": inputs, "secrets": json.loads(secrets_json),
           "steps": {}, "env": {}, "__failed__": False}
    job = wf["jobs"][job_name]
    if "if" in job and not condition(ctx, job["if"]):
        print(json.dumps({"status": 0, "skipped": True, "steps": {}}))
        return 0
    env = dict(os.environ, GITHUB_ACTIONS="true", GITHUB_WORKSPACE=os.getcwd())
    env.setdefault("RUNNER_TEMP", tempfile.mkdtemp(prefix="runner-"))
    for k, v in (job.get("env") or {}).items():
        env[k] = ctx["env"][k] = expand(ctx, v)
    status = 0
    for i, s in enumerate(job["steps"]):
        sid = s.get("id", f"__{i}")
        if not condition(ctx, s.get("if")):
            ctx["steps"][sid] = {"outcome": "skipped", "outputs": {}}
            continue
        step_env = {k: expand(ctx, v) for k, v in (s.get("env") or {}).items()}
        if "uses" in s:
            u = s["uses"]
            if u.startswith(SKIPPED_USES):
                ctx["steps"][sid] = {"outcome": "skipped", "outputs": {}}
                continue
            m = re.fullmatch(r"mlci/mlci/actions/([\w-]+)@[\w.-]+", u)
            if not m:
                raise Unsupported(f"uses: {u}")
            with_ = {k: expand(ctx, v) for k, v in (s.get("with") or {}).items()}
            rc, outs = run_action(m.group(1), with_, step_env, env, ctx)
        else:
            if s.get("shell", "bash") != "bash":
                raise Unsupported("a shell other than bash")
            cwd = expand(ctx, s.get("working-directory", "."))
            rc, outs = run_script(s["run"], dict(env, **step_env), cwd)
        ctx["steps"][sid] = {"outcome": "failure" if rc else "success", "outputs": outs}
        if rc:
            status = rc
            ctx["__failed__"] = True
    print(json.dumps({"status": status, "steps": ctx["steps"]}))
    return 1 if status else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Unsupported as e:
        print(f"run-workflow.py: unsupported: {e}", file=sys.stderr)
        sys.exit(2)
