"""What the documents are made of, computed from a client's data: working days, the
communication plan, the RACI matrix, evaluation criteria and scores, and the one validation of
a portfolio that runs every rule the plan applies."""
