omega lambda
