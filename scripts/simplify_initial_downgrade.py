"""Make the initial migration's downgrade drop tables only (MySQL refuses dropping FK indexes)."""

import re
import sys
from pathlib import Path

path = Path(sys.argv[1])
text = path.read_text()
head, body = text.split("def downgrade() -> None:", 1)
tables = re.findall(r"op\.drop_table\(['\"]([^'\"]+)['\"]\)", body)
lines = "\n".join(f'    op.drop_table("{name}")' for name in tables)
path.write_text(f'{head}def downgrade() -> None:\n    """Revert this revision."""\n{lines}\n')
