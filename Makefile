# plainrecord: the handful of obvious targets. Deployment recipes live in docs/, not here.
.PHONY: run test setup demo train lint bench clean

run:            ## set up everything and start Rasa, the action server and the API (Ctrl-C stops all)
	@scripts/setup.sh
	@.venv/bin/plainrecord demo
	@scripts/train.sh
	@.venv/bin/plainrecord run

test:           ## set up what the tests need and run every check
	@scripts/test.sh

setup:          ## install both environments from their lock files
	@scripts/setup.sh

demo:           ## create the database and load the demo patients and users
	@scripts/setup.sh
	@.venv/bin/plainrecord demo

train:          ## train the Rasa model if its inputs changed
	@scripts/train.sh

lint:
	@.venv/bin/ruff check . && .venv/bin/mypy && .venv/bin/lint-imports --no-cache

bench:          ## run the benchmarks (they print their figures)
	@for b in bench/*.py; do echo "== $$b"; .venv/bin/python $$b; done

clean:
	rm -rf var bot/models .pytest_cache .mypy_cache .ruff_cache
