select
    criterion_id,
    weight
from config.criterion_weights
