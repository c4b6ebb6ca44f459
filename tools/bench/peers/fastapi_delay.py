"""The seed's FastAPI app as a peer for the bench: POST /delay doing `await asyncio.sleep(ms / 1000)`
and answering JSON like the app's. tools/bench/peers/fastapi.ts starts it with uvicorn, one worker,
on 127.0.0.1, without an access log (the bench's servers do not log)."""
import asyncio
import os
from datetime import datetime

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello():
    return {"message": "Hello World", "worker_id": os.getpid(), "runtime": "fastapi"}


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.post("/delay")
async def delay(ms: int = 0, mode: str = "async"):
    start_time = datetime.now().isoformat(timespec="microseconds")
    await asyncio.sleep(ms / 1000)
    end_time = datetime.now().isoformat(timespec="microseconds")
    return {
        "message": f"Response after {ms} ms delay",
        "ms": ms,
        "mode": mode,
        "work": "sleep",
        "runtime": "fastapi",
        "worker_id": os.getpid(),
        "thread_id": 0,
        "start_time": start_time,
        "end_time": end_time,
    }
