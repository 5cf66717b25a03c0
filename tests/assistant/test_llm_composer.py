"""The LLM path against a fake OpenAI-compatible server started here (real HTTP, real langchain-openai client)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


pytestmark = pytest.mark.slow


class FakeOpenAI:
    """Serves /v1/chat/completions from a queue of scripted replies and records every request."""

    def __init__(self) -> None:
        self.replies: list[dict] = []
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.requests.append(body)
                reply = fake.replies.pop(0) if fake.replies else {"status": 500}
                if reply.get("delay"):
                    time.sleep(reply["delay"])
                status = reply.get("status", 200)
                payload = json.dumps(reply.get("json", {"error": {"message": "scripted failure"}})).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def say(self, content: str) -> None:
        self.replies.append({"json": _completion({"role": "assistant", "content": content}, "stop")})

    def call_tool(self, name: str, arguments: dict) -> None:
        call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}
        self.replies.append({"json": _completion({"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls")})


def _completion(message: dict, finish: str) -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": "fake-qwen",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@pytest.fixture(scope="module")
def fake():
    server = FakeOpenAI()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def llm_assistant(fake, settings, services):
    from assistant.services import assemble

    llm_settings = settings.model_copy(update={
        "llm": "openai", "llm_base_url": fake.url, "llm_model": "fake-qwen", "llm_timeout_s": 2.0,
    })
    return assemble(llm_settings, services.embedder, services.index, services.rules, services.lexicon, services.profile)[1]


def ask(bot, question: str):
    """The assistant's answer as the HTTP contract returns it, and the fallback reason it recorded."""
    from assistant.http.edge import ask_response

    answer = bot.ask(question)
    return ask_response(answer), (answer.trace.fallbacks[0] if answer.trace.fallbacks else None)


QUESTION = "杭州单家企业每年最多能申领多少算力券?"


def test_verified_llm_answer_is_used(fake, llm_assistant):
    fake.say("杭州单家企业每年“算力券”申领不超过800万元,生成式多模态基础大模型企业可以放宽[1]。")
    response, reason = ask(llm_assistant, QUESTION)
    assert response.answer.startswith("杭州单家企业每年“算力券”申领不超过800万元")
    assert response.citations[0].id == "hangzhou-ai-measures#一.(三)"
    sent = fake.requests[-1]
    assert sent["model"] == "fake-qwen" and any(t["function"]["name"] == "calculate_subsidy" for t in sent["tools"])
    assert "单家企业每年“算力券”申领不超过800万元" in json.dumps(sent["messages"], ensure_ascii=False)
    assert reason is None


def test_invented_number_falls_back_to_extractive(fake, llm_assistant):
    fake.say("杭州单家企业每年最多可申领900万元算力券[1]。")
    response, reason = ask(llm_assistant, QUESTION)
    assert "900万" not in response.answer and "800万元" in response.answer
    assert "900万元" in reason


def test_dangling_citation_falls_back(fake, llm_assistant):
    fake.say("单家企业每年“算力券”申领不超过800万元[5]。")
    response, reason = ask(llm_assistant, QUESTION)
    assert "[5]" not in response.answer and "800万元" in response.answer
    assert "[5]" in reason


def test_tool_call_result_is_sent_back_and_used(fake, llm_assistant):
    fake.call_tool("calculate_subsidy", {"program": "hangzhou_compute_voucher",
                                         "inputs": {"contract_amount_yuan": 10_000_000, "compute_type": "domestic"}})
    fake.say("按国产算力30%计算,1000万元合同可获算力券300万元[1]。")
    response, reason = ask(llm_assistant, "杭州用国产算力,合同1000万元,算力券能拿多少?")
    assert response.answer == "按国产算力30%计算,1000万元合同可获算力券300万元[1]。"
    tool_turn = fake.requests[-1]["messages"][-1]
    assert tool_turn["role"] == "tool" and "3000000" in tool_turn["content"].replace(",", "").replace(".0", "")
    assert response.calculation is not None and response.calculation.result_yuan == 3_000_000


def test_server_error_and_timeout_fall_back(fake, llm_assistant):
    fake.replies.append({"status": 500})
    response, reason = ask(llm_assistant, QUESTION)
    assert "800万元" in response.answer and "LLM call failed" in reason
    fake.replies.append({"delay": 3.0, "json": _completion({"role": "assistant", "content": "late"}, "stop")})
    response, reason = ask(llm_assistant, QUESTION)
    assert "800万元" in response.answer and "late" not in response.answer
